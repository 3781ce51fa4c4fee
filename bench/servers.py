"""The processes of a bench run: the baked project, its database, servers, workers, the client.

Everything listens on, and connects to, 127.0.0.1 only. Every process started here is stopped
by the context manager that started it, and every wait is bounded.
"""

import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

BENCH_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = BENCH_DIR.parent
PYTHON = sys.executable
LOOPBACK = "127.0.0.1"
STATS_PATH = "/__bench__/stats"


@dataclass(frozen=True)
class Variant:
    """One way of serving the demo socket; every scenario runs the same jobs against each."""

    name: str
    label: str
    app: str  # uvicorn's module:attribute, importable from bench/ or the baked project
    settings: str
    env: dict = field(default_factory=dict)  # added to the server's environment


# The project pools its database connections by default (DATABASE_POOL); "_nopool" variants
# turn that off through the environment, for issue 8's pooled and unpooled rows.
NO_POOL = {"DATABASE_POOL": "false"}
VARIANTS = {
    variant.name: variant
    for variant in (
        Variant("tenant", "tenant stack", "benchsite.tenant:application", "benchsite.settings"),
        Variant(
            "floor", "plain Channels", "benchsite.floor:application", "benchsite.settings_floor"
        ),
        Variant(
            "tenant_nopool",
            "tenant stack, no pool",
            "benchsite.tenant:application",
            "benchsite.settings",
            NO_POOL,
        ),
        Variant(
            "floor_nopool",
            "plain Channels, no pool",
            "benchsite.floor:application",
            "benchsite.settings_floor",
            NO_POOL,
        ),
        Variant("naive", "naive recipe", "benchsite.naive:application", "benchsite.settings_naive"),
        Variant(
            "floor_sync",
            "plain Channels, sync consumer",
            "benchsite.floor:sync_application",
            "benchsite.settings_floor",
        ),
    )
}


def raise_fd_limit() -> int:
    """Raise this process' descriptor limit as far as allowed; children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for wanted in (65536, hard):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(wanted, soft), max(wanted, hard)))
            break
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.1)


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class Run:
    """The baked default project and the database, cache prefix and queue of this run."""

    def __init__(
        self, workdir: Path, database_url: str, redis_url: str, template: Path = TEMPLATE_DIR
    ):
        self.run_id = uuid.uuid4().hex[:8]
        self.template = template
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.admin_url = database_url  # any database of the server, to create ours from
        self.db_name = f"bench_{self.run_id}"
        self.database_url = database_url.rsplit("/", 1)[0] + "/" + self.db_name
        self.redis_url = redis_url
        self.project_dir: Path | None = None

    def bake(self) -> Path:
        """`cookiecutter --no-input` of the template (this repository): the default project."""
        out = self.workdir / "bake"
        config = self.workdir / "cookiecutter.yaml"  # keeps the replay file out of $HOME
        config.write_text(f"replay_dir: {self.workdir / 'replay'}\n")
        command = [
            *(PYTHON, "-m", "cookiecutter", "--no-input", "--config-file", str(config)),
            *("-o", str(out), str(self.template)),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        (self.project_dir,) = (path for path in out.iterdir() if (path / "manage.py").exists())
        return self.project_dir

    @contextlib.contextmanager
    def database(self) -> Iterator[None]:
        """A database of this run's own, dropped (its sessions ended) when the block ends."""
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.db_name}"')
        try:
            yield
        finally:
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def forget_redis_keys(self) -> None:
        """The run's cache entries, marks and queue (every key carries the run id)."""
        client = redis.Redis.from_url(self.redis_url)
        keys = list(client.scan_iter(match=f"*bench-{self.run_id}*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])

    def env(self, settings: str = "benchsite.settings", extra: dict | None = None) -> dict:
        """The environment of the baked project's processes; real variables beat its `.env`."""
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(self.project_dir)]),
            "DJANGO_SETTINGS_MODULE": settings,
            "BENCH_RUN_ID": self.run_id,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "DJANGO_DEBUG": "false",
            "DJANGO_EMBEDDED_SERVICES": "false",  # the real services of this machine
            "ITEMS_ALLOW_ANONYMOUS": "true",  # the load generator's sockets are anonymous
            **(extra or {}),
        }

    def python(self, args: list[str], timeout: float, name: str) -> dict:
        """Run `python <args>` in the project; its last stdout line is a JSON object."""
        stdout = self._run(
            [PYTHON, *args], name, " ".join(args), timeout, cwd=self.project_dir, env=self.env()
        )
        return json.loads(stdout.strip().splitlines()[-1])

    def setup(self, *args: str, timeout: float = 300) -> dict:
        return self.python(["-m", "benchsite.setup", *args], timeout, "setup")

    def publish(self, job: dict, timeout: float = 120) -> dict:
        return self.python(["-m", "benchsite.publish", json.dumps(job)], timeout, "publish")

    def client(self, job: dict, timeout: float) -> dict:
        """Run one job of the load generator (`client.py`) in a process of its own."""
        command = [PYTHON, str(BENCH_DIR / "client.py")]
        what = f"client job {job['kind']}"
        return json.loads(self._run(command, "client", what, timeout, input=json.dumps(job)))

    def _run(self, command: list[str], log_name: str, what: str, timeout: float, **run) -> str:
        """A command's stdout; its stderr goes to `<log_name>.log`, quoted if it fails."""
        log = self.logs / f"{log_name}.log"
        with log.open("a") as stderr:
            result = subprocess.run(
                command, stdout=subprocess.PIPE, stderr=stderr, text=True, timeout=timeout, **run
            )
        if result.returncode != 0:
            raise RuntimeError(f"{what} failed:\n{tail(log)}")
        return result.stdout


class Process:
    """A child process with a log file, stopped by SIGTERM, then SIGKILL."""

    def __init__(self, command: list[str], run: Run, env: dict, log: Path):
        self.log = log
        self.port: int | None = None  # a server's
        with log.open("w") as output:
            self.process = subprocess.Popen(
                command, cwd=run.project_dir, env=env, stdout=output, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.log.stem} exited:\n{tail(self.log)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@contextlib.contextmanager
def server(run: Run, variant: Variant) -> Iterator[Process]:
    """A uvicorn process serving `variant` on a free loopback port (its `port`)."""
    port = free_port()
    command = [
        *(PYTHON, "-m", "uvicorn", variant.app, "--host", LOOPBACK, "--port", str(port)),
        *("--lifespan", "off", "--no-access-log", "--log-level", "warning"),
        *("--timeout-graceful-shutdown", "5"),
    ]
    env = run.env(variant.settings, variant.env)
    process = Process(command, run, env, run.logs / f"server-{variant.name}-{port}.log")
    process.port = port
    try:
        wait_until(lambda: _answers(process, port), 60, f"the {variant.name} server")
        yield process
    finally:
        process.stop()


def _answers(process: Process, port: int) -> bool:
    process.check_alive()
    try:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{port}{STATS_PATH}", timeout=2):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def worker(run: Run, queue: str) -> Iterator[Process]:
    """A Celery worker (one process, solo pool) of the baked project consuming `queue`."""
    command = [
        *(PYTHON, "-m", "celery", "-A", "config.celery", "worker", "--pool=solo"),
        *("--loglevel=WARNING", "--without-mingle", "--without-gossip", "--without-heartbeat"),
        *("--queues", queue),
    ]
    process = Process(command, run, run.env(), run.logs / f"worker-{queue}.log")
    try:
        yield process
    finally:
        process.stop()
