"""A newcomer's path: the README's command from nothing to two live tenants, and the baked
project's tests with no service URLs and the machine's own servers out of reach."""

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from baked_project import free_port, project_env
from conftest import COMBINATIONS, TEMPLATE_DIR
from websockets.sync.client import connect

pytestmark = pytest.mark.slow

README = (TEMPLATE_DIR / "README.md").read_text()
REPOSITORY_PLACEHOLDER = "<path-or-url-of-this-repository>"
DEFAULT = COMBINATIONS[0]


def readme_commands() -> list[str]:
    """The README's bash blocks: generate-and-start, then the test command."""
    return re.findall(r"```bash\n(.+?)\n```", README, flags=re.DOTALL)


def wait_for_http(url: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the command exited with {process.returncode} before serving {url}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers: any status will do here
        except OSError:
            time.sleep(1)
    pytest.fail(f"nothing answered at {url} within {seconds}s")


def log_in(base: str, host: str) -> str:
    """The `sessionid` of the demo user, signed in through the tenant's admin login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"{base}/admin/login/"
    headers = {"Host": host}
    page = opener.open(urllib.request.Request(login, headers=headers)).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": "demo", "password": "demo", "next": "/"}
    request = urllib.request.Request(
        login,
        data=urllib.parse.urlencode(form).encode(),
        headers={**headers, "Referer": f"http://{host}/admin/login/"},
    )
    # The redirect after signing in leads to a page the demo may not have.
    with contextlib.suppress(urllib.error.HTTPError):
        opener.open(request)
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "the demo user could not sign in"
    return cookies["sessionid"]


def first_frame(port: int, host: str, session: str) -> dict:
    # The URI names the tenant's host; the socket goes to this machine, whatever DNS says.
    with connect(
        f"ws://{host}/ws/items/",
        sock=socket.create_connection(("127.0.0.1", port)),
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=10,
    ) as websocket:
        return json.loads(websocket.recv(timeout=10))


def test_the_readme_command_generates_and_serves_two_live_tenants(tmp_path):
    command = readme_commands()[0].replace(REPOSITORY_PLACEHOLDER, str(TEMPLATE_DIR))
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "VIRTUAL_ENV", "DATABASE_URL", "REDIS_URL"))
    }
    env["PORT"] = str(port)
    log = (tmp_path / "quickstart.log").open("w")
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/", process, seconds=600)
        for tenant, name in (("acme", "Acme Corp"), ("globex", "Globex")):
            host = f"{tenant}.localhost:{port}"
            frame = first_frame(port, host, log_in(base, host))
            assert frame["type"] == "items"
            assert f"Welcome to {name}" in [item["text"] for item in frame["items"]]
        # The quickstart ran on the embedded PostgreSQL, not this machine's.
        assert (tmp_path / "acme_saas" / ".embedded" / "postgres" / "PG_VERSION").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_the_readme_test_command_is_the_one_ci_runs():
    ci_script = (TEMPLATE_DIR / ".ci" / "run").read_text()
    test_command = readme_commands()[1]
    assert test_command == "bash .ci/run"
    assert ".venv/bin/python -m pytest" in README
    assert re.search(r"^\.venv/bin/python -m pytest", ci_script, flags=re.MULTILINE)


def test_the_default_test_tier_passes_with_only_python(cookies):
    """No URL configured, no server reachable: a network namespace with a bare loopback."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("unshare as root is needed to hide this machine's servers")
        pytest.skip("needs unshare as root to hide this machine's servers")
    # A bake of its own: embedded servers keep their data (and handles) in the project.
    project = cookies.bake(extra_context=DEFAULT.context).project_path
    isolated = (
        "ip link set lo up && "
        "! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && "
        "! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && "
        f'exec "{sys.executable}" -m pytest -q -p no:cacheprovider'
    )
    run = subprocess.run(
        ["unshare", "--net", "bash", "-c", isolated],
        cwd=project,
        env=project_env(project),
        capture_output=True,
        text=True,
        timeout=900,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary, summary
