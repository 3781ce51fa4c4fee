"""Each baked project's own test suite passes against the real services (PostgreSQL, Redis,
RabbitMQ), run with this interpreter, which has the generated projects' dependencies."""

import re
import subprocess
import time
from pathlib import Path

import pytest
from baked_project import real_services_env, run_python
from conftest import COMBINATIONS

pytestmark = pytest.mark.slow

# Seconds; a hung suite fails its own combination instead of stalling the whole run.
SUITE_TIMEOUT = 900


def reports_only_passes(summary: str) -> bool:
    """Whether pytest's closing line counts passed tests and no failure or error."""
    return bool(re.search(r"\b[1-9]\d* passed\b", summary)) and not re.search(
        r"\b\d+ (failed|errors?)\b", summary
    )


def run_suite(project: Path, record, label: str, **extra_env: str) -> None:
    """Run the project's suite, record how it went under `label`, fail if it did not pass."""
    started = time.monotonic()
    try:
        run = run_python(
            project,
            *("-m", "pytest", "-q", "-p", "no:cacheprovider"),
            timeout=SUITE_TIMEOUT,
            env={**real_services_env(project), **extra_env},
        )
    except subprocess.TimeoutExpired as timeout:
        record(label, "timeout", time.monotonic() - started)
        output = (timeout.output or b"").decode(errors="replace")
        pytest.fail(f"the suite ran over {SUITE_TIMEOUT}s; its output so far:\n{output}")
    lines = run.stdout.strip().splitlines() or [""]
    passed = run.returncode == 0 and reports_only_passes(lines[-1])
    record(label, "passed" if passed else "failed", time.monotonic() - started)
    assert passed, f"exit code {run.returncode}:\n{run.stdout}"


def test_generated_suite_passes(project, combination, record_suite_result):
    run_suite(project, record_suite_result, combination.id)


def test_default_suite_passes_without_pooling(bake, record_suite_result):
    """The isolation tests hold with plain connections too (DATABASE_POOL=false)."""
    default = COMBINATIONS[0]
    project = bake(default).result.project_path
    run_suite(project, record_suite_result, f"{default.id} unpooled", DATABASE_POOL="false")
