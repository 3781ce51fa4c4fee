"""Each baked project's own test suite passes against the real services (PostgreSQL, Redis,
RabbitMQ), run with this interpreter, which has the generated projects' dependencies."""

import re
import subprocess
import time

import pytest
from baked_project import real_services_env, run_python

pytestmark = pytest.mark.slow

# Seconds; a hung suite fails its own combination instead of stalling the whole run.
SUITE_TIMEOUT = 900


def reports_only_passes(summary: str) -> bool:
    """Whether pytest's closing line counts passed tests and no failure or error."""
    return bool(re.search(r"\b[1-9]\d* passed\b", summary)) and not re.search(
        r"\b\d+ (failed|errors?)\b", summary
    )


def test_generated_suite_passes(project, combination, record_suite_result):
    started = time.monotonic()
    try:
        run = run_python(
            project,
            *("-m", "pytest", "-q", "-p", "no:cacheprovider"),
            timeout=SUITE_TIMEOUT,
            env=real_services_env(project),
        )
    except subprocess.TimeoutExpired as timeout:
        record_suite_result(combination, "timeout", time.monotonic() - started)
        output = (timeout.output or b"").decode(errors="replace")
        pytest.fail(f"the suite ran over {SUITE_TIMEOUT}s; its output so far:\n{output}")
    lines = run.stdout.strip().splitlines() or [""]
    passed = run.returncode == 0 and reports_only_passes(lines[-1])
    record_suite_result(combination, "passed" if passed else "failed", time.monotonic() - started)
    assert passed, f"exit code {run.returncode}:\n{run.stdout}"
