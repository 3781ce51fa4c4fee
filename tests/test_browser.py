"""The demo page in a real browser (Debian's Chromium, driven by Playwright): two tenants'
pages open at once, what one adds appears live in its own page and never in the other's."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from baked_project import free_port, project_env
from conftest import COMBINATIONS, TEMPLATE_DIR

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = TEMPLATE_DIR / "build" / "screenshots"
# Without these, Chromium's calls home are refused by a closed network, many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Subdomain mode: each tenant at its host; header mode: ?tenant= (the page's selector links).
PAGE_URLS = {
    "subdomain": "http://{tenant}.localhost:{port}/",
    "header": "http://localhost:{port}/?tenant={tenant}",
}
MODES = [
    next(c for c in COMBINATIONS if c.tenant_resolution == mode and c.channel_layer == "redis")
    for mode in PAGE_URLS
]


@pytest.fixture(params=MODES, ids=lambda combination: combination.tenant_resolution)
def demo_server(request, bake, tmp_path):
    """`manage.py quickstart` of a baked project: demo tenants acme and globex, served."""
    project = bake(request.param).result.project_path
    port = free_port()
    env = {**project_env(project), "DJANGO_SETTINGS_MODULE": "config.settings", "PORT": str(port)}
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "quickstart"],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the demo server did not start:\n{(tmp_path / 'server.log').read_text()}"
                )
            time.sleep(1)
    yield port, PAGE_URLS[request.param.tenant_resolution]
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def signed_in_page(browser, url: str):
    """A page of its own (own cookies) on `url`, signed in as the demo user, socket live."""
    page = browser.new_context().new_page()
    page.goto(url)
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_selector("#state.live", timeout=15000)
    return page


def test_two_tenant_pages_live_and_apart(demo_server, browser, request):
    port, page_url = demo_server
    screenshots = SCREENSHOTS / request.node.callspec.id
    shutil.rmtree(screenshots, ignore_errors=True)
    screenshots.mkdir(parents=True)
    acme = signed_in_page(browser, page_url.format(tenant="acme", port=port))
    globex = signed_in_page(browser, page_url.format(tenant="globex", port=port))
    assert "Welcome to Acme Corp" in acme.inner_text("#items")
    assert "Welcome to Globex" in globex.inner_text("#items")

    text = f"added in acme {uuid.uuid4().hex[:6]}"
    acme.fill("#text", text)
    acme.click("#add button")
    acme.wait_for_selector(f"#items li:has-text('{text}')", timeout=10000)
    time.sleep(1.5)  # time enough for a broadcast to reach the wrong page, if it would
    assert text not in globex.inner_text("#items")
    acme.screenshot(path=str(screenshots / "acme.png"), full_page=True)
    globex.screenshot(path=str(screenshots / "globex.png"), full_page=True)

    # A bad frame gets an error shown on the page; the socket stays live.
    acme.evaluate("socket.send('{not json')")
    acme.wait_for_selector("#error:not([hidden])", timeout=10000)
    assert "malformed JSON" in acme.inner_text("#error")
    assert acme.get_attribute("#state", "class") == "state live"
