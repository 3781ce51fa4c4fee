"""End to end, as deployed: two uvicorn servers and a Celery worker of a baked project, as
real processes on loopback ports, sharing the real PostgreSQL, Redis and broker, driven by
real WebSocket clients that connect the way a browser or a service would."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from baked_project import free_port, project_env
from conftest import COMBINATIONS
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

pytestmark = pytest.mark.slow

VARIANTS = [c for c in COMBINATIONS if c.id in ("subdomain-redis-redis", "header-redis-rabbitmq")]
DOMAIN = "example.com"
QUIET = 1.0
# Redis hands a dead worker's unacknowledged task out again once it is this old (seconds).
VISIBILITY_TIMEOUT = 5
# Creates the users alice (tenant a) and bob (tenant b) and prints a session key for each.
MAKE_SESSIONS = """
import json
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django_tenants.utils import get_tenant_model, tenant_context
keys = {}
for schema, name in (("a", "alice"), ("b", "bob")):
    with tenant_context(get_tenant_model().objects.get(schema_name=schema)):
        user = get_user_model().objects.create_user(name, password="x")
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session.create()
        keys[schema] = session.session_key
print(json.dumps(keys))
"""


def deployment_env(project: Path, database: str, broker: str) -> dict[str, str]:
    """Production settings (DEBUG off: real URLs or nothing), on this run's own database."""
    env = project_env(project)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="end-to-end-" + uuid.uuid4().hex,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        REDIS_URL="redis://127.0.0.1:6379/9",
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
    )
    env.pop("CELERY_BROKER_URL", None)  # redis: derived from REDIS_URL
    if broker == "rabbitmq":
        env["CELERY_BROKER_URL"] = "amqp://guest:guest@127.0.0.1:5672//"
    return env


def manage(project: Path, env: dict, *args: str) -> str:
    run = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


class Process:
    """A long-running command of the project, its output in a log file."""

    def __init__(self, project: Path, env: dict, log: Path, *command: str, ready: str):
        self.log = log
        with log.open("w") as output:
            self.popen = subprocess.Popen(
                [sys.executable, *command],
                cwd=project,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for(ready, 60)

    def output(self) -> str:
        return self.log.read_text()

    def wait_for(self, text: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.output():
            if self.popen.poll() is not None:
                raise AssertionError(f"exited before {text!r}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} within {seconds}s:\n{self.output()}")
            time.sleep(0.2)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)


class Deployment:
    def __init__(self, project: Path, env: dict, logs: Path, stack: ExitStack, header: bool):
        self.project, self.env, self.logs, self.stack, self.header = (
            project,
            env,
            logs,
            stack,
            header,
        )
        self.ports = [free_port(), free_port()]
        for number, port in enumerate(self.ports, 1):
            self.start(
                f"server{number}",
                *("-m", "uvicorn", "config.asgi:application", "--port", str(port)),
                ready="Application startup complete",
            )
        self.worker = self.start_worker()

    def start(self, name: str, *command: str, ready: str) -> Process:
        process = Process(self.project, self.env, self.logs / f"{name}.log", *command, ready=ready)
        self.stack.callback(process.stop)
        return process

    def start_worker(self) -> Process:
        return self.start(
            f"worker-{uuid.uuid4().hex[:6]}",
            *("-m", "celery", "-A", "config.celery", "worker", "--pool=solo", "-l", "INFO"),
            ready=" ready.",
        )

    def socket(self, server: int, tenant: str, session: str | None) -> ClientConnection:
        """A socket of `tenant` on server 1 or 2: a browser's in subdomain mode, a service's
        (the tenant header) or a browser's (?tenant=) in header mode."""
        port = self.ports[server - 1]
        headers = {"Cookie": f"sessionid={session}"} if session else {}
        if self.header:
            uri = f"ws://app.{DOMAIN}/ws/items/"
            if server == 1:
                headers["X-Tenant"] = tenant
            else:
                uri += f"?tenant={tenant}"
        else:
            uri = f"ws://{tenant}.{DOMAIN}/ws/items/"
            headers["Origin"] = f"http://{tenant}.{DOMAIN}"
        return self.stack.enter_context(
            connect(
                uri,
                sock=socket.create_connection(("127.0.0.1", port)),
                additional_headers=headers,
                open_timeout=10,
            )
        )


@contextmanager
def deployed(project: Path, tmp_path: Path, combination) -> Iterator[tuple[Deployment, dict]]:
    database = f"e2e_{uuid.uuid4().hex[:8]}"
    env = deployment_env(project, database, combination.celery_broker)
    header = combination.tenant_resolution == "header"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    try:
        manage(project, env, "migrate_schemas", "--shared", "-v", "0")
        for schema in ("a", "b"):
            manage(project, env, "add_tenant", schema)
        # Tasks left in the broker by an earlier run would run in this run's tenants.
        purge = [sys.executable, "-m", "celery", "-A", "config.celery", "purge", "-f"]
        subprocess.run(purge, cwd=project, env=env, check=True, capture_output=True, timeout=60)
        output = manage(project, env, "shell", "-c", MAKE_SESSIONS)
        sessions = json.loads(output.strip().splitlines()[-1])
        with ExitStack() as stack:
            yield Deployment(project, env, tmp_path, stack, header), sessions
    finally:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", "--if-exists", database],
            check=False,
        )


def frame(websocket: ClientConnection, timeout: float = 20) -> dict:
    return json.loads(websocket.recv(timeout=timeout))


def silent(websocket: ClientConnection) -> bool:
    try:
        websocket.recv(timeout=QUIET)
    except TimeoutError:
        return True
    return False


@pytest.fixture(params=VARIANTS, ids=lambda combination: combination.id)
def deployment(request, bake, tmp_path):
    project = bake(request.param).result.project_path
    with deployed(project, tmp_path, request.param) as running:
        yield running


def test_items_jobs_and_refusals_across_two_servers_and_a_worker(deployment):
    system, sessions = deployment
    a1, a2 = system.socket(1, "a", sessions["a"]), system.socket(2, "a", sessions["a"])
    b2 = system.socket(2, "b", sessions["b"])
    for websocket in (a1, a2, b2):
        assert frame(websocket)["type"] == "items"

    a1.send(json.dumps({"type": "item.create", "text": "hello from server 1"}))
    for websocket in (a1, a2):
        created = frame(websocket)
        assert created["type"] == "item.created"
        assert created["item"]["text"] == "hello from server 1"
    assert silent(b2)

    a1.send(json.dumps({"type": "job.start", "seconds": 0.2}))
    queued = frame(a1)
    assert queued["type"] == "job.queued"
    done = {"type": "job.done", "job_id": queued["job_id"], "items": 1, "schema": "a"}
    assert frame(a1) == done
    assert frame(a2) == done
    assert silent(b2)

    with pytest.raises(InvalidStatus) as refused:
        system.socket(1, "nobody", None)
    assert refused.value.response.status_code == 403


def test_a_killed_worker_loses_no_task(deployment, request):
    system, sessions = deployment
    broker = request.node.callspec.params["deployment"].celery_broker
    a1 = system.socket(1, "a", sessions["a"])
    assert frame(a1)["type"] == "items"
    a1.send(json.dumps({"type": "job.start", "seconds": 3}))
    queued = frame(a1)
    system.worker.wait_for(queued["job_id"], 20)  # received: it is sleeping now
    system.worker.stop(signal.SIGKILL)
    if broker == "redis":
        # RabbitMQ requeues at once when the connection drops; Redis, when the task is older
        # than the visibility timeout, checked as a worker starts.
        time.sleep(VISIBILITY_TIMEOUT + 1)
    system.worker = system.start_worker()
    # acks_late: the task was not acknowledged, so the broker hands it out again.
    done = frame(a1, timeout=60)
    assert done == {"type": "job.done", "job_id": queued["job_id"], "items": 0, "schema": "a"}
