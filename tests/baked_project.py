"""Reading and running a baked project, with the interpreter (and packages) of this test run."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def project_env(project: Path) -> dict[str, str]:
    """The environment of a command run in a baked project.

    The project's own package is importable without installing it, its test settings are in
    force, and none of this pytest run's own variables leak in (an outer PYTEST_XDIST_WORKER,
    say, would change the name of the baked suite's test database).
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env.update(PYTHONPATH=str(project), DJANGO_SETTINGS_MODULE="config.settings_test")
    return env


def real_services_env(project: Path) -> dict[str, str]:
    """`project_env()` pointed at this machine's PostgreSQL and Redis, not embedded servers.

    RabbitMQ needs no URL: the projects' development default is the local server.
    """
    return {
        **project_env(project),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{project.name}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }


def run_python(
    project: Path, *args: str, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python *args` in the project, stdout and stderr merged into `.stdout` for messages."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=project_env(project) if env is None else env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_succeeded(run: subprocess.CompletedProcess) -> None:
    if run.returncode != 0:
        command = " ".join(run.args[1:])
        pytest.fail(f"`python {command}` exited {run.returncode}:\n{run.stdout}", pytrace=False)


def read_env_file(path: Path) -> dict[str, str]:
    """The `NAME=value` assignments of a `.env` file; comments and blank lines are skipped."""
    assignments = (
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    )
    return {name.strip(): value.strip() for name, value in assignments}


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
