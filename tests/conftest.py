"""What the template's tests share: the option matrix, baked projects and the hook modules.

Baking is the expensive step, so each combination of options is baked once per session and
every check on it reads the same project.
"""

import functools
import importlib.util
import itertools
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import pytest
from pytest_cookies.plugin import Result

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
# The user_properties key under which a generated suite's outcome reaches the summary table
# (user_properties travel with the test report, so this works under pytest-xdist too).
SUITE_RESULT = "generated_suite"


class Combination(NamedTuple):
    """One value of each choice option; its id reads like `subdomain-redis-redis`."""

    tenant_resolution: str
    channel_layer: str
    celery_broker: str

    @property
    def id(self) -> str:
        return "-".join(self)

    @property
    def context(self) -> dict[str, str]:
        return self._asdict()


def is_possible(combination: Combination) -> bool:
    # Celery workers are separate processes, which an in-memory channel layer cannot reach:
    # the pre-gen hook refuses the pair (test_hooks checks that it does).
    return combination.channel_layer != "in_memory" or combination.celery_broker == "none"


def load_hook(name: str) -> ModuleType:
    """A hook script imported as a module: the raw file is valid Python (Jinja only in strings)."""
    spec = importlib.util.spec_from_file_location(name, TEMPLATE_DIR / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_combinations() -> list[Combination]:
    """Every possible combination, the template's default (each option's first choice) first.

    The values come from the pre-gen hook's table, which must match cookiecutter.json's
    choices (test_hooks checks that it does).
    """
    choices = load_hook("pre_gen_project").CHOICES
    values = [choices[name] for name in Combination._fields]
    return [
        combination
        for combination in itertools.starmap(Combination, itertools.product(*values))
        if is_possible(combination)
    ]


COMBINATIONS = all_combinations()


@dataclass(frozen=True)
class Bake:
    result: Result
    # The files as the bake left them, relative to the project: listed before any check ran a
    # tool (ruff, compileall, the project's own tests) that writes caches into the project.
    files: tuple[Path, ...]

    @property
    def answers(self) -> dict:
        return self.result.context

    def __repr__(self) -> str:
        # Short in assertion messages; pytest-cookies' own Result repr is deprecated.
        return f"<Bake {self.result.project_path or self.result.exception!r}>"


def pytest_configure(config: pytest.Config) -> None:
    # pytest-cookies bakes its `--template` option, which defaults to the current directory:
    # pin it to this repository so the suite runs from any directory.
    config.option.template = str(TEMPLATE_DIR)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "combination" in metafunc.fixturenames:
        metafunc.parametrize("combination", COMBINATIONS, ids=lambda combination: combination.id)


@pytest.fixture(scope="session")
def bake(cookies_session):
    """Bake a combination, or return the bake of it this session already made."""

    @functools.cache
    def bake_combination(combination: Combination) -> Bake:
        result = cookies_session.bake(extra_context=combination.context)
        if result.exception is not None:
            return Bake(result, files=())
        project = result.project_path
        files = sorted(path.relative_to(project) for path in project.rglob("*") if path.is_file())
        return Bake(result, tuple(files))

    return bake_combination


@pytest.fixture
def baked(bake, combination: Combination) -> Bake:
    return bake(combination)


@pytest.fixture
def project(baked: Bake) -> Path:
    """The baked project's directory; a failed bake errors every check that needs it."""
    if baked.result.exception is not None:
        pytest.fail(f"baking failed: {baked.result.exception!r}")
    return baked.result.project_path


@pytest.fixture(scope="session")
def pre_gen_hook() -> ModuleType:
    return load_hook("pre_gen_project")


@pytest.fixture(scope="session")
def post_gen_hook() -> ModuleType:
    return load_hook("post_gen_project")


@pytest.fixture
def record_suite_result(record_property):
    """Record how a combination's generated suite went, for the table at the end of the run."""

    def record(label: str, outcome: str, seconds: float) -> None:
        record_property(SUITE_RESULT, (label, outcome, seconds))

    return record


def pytest_terminal_summary(terminalreporter) -> None:
    rows = sorted(
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == SUITE_RESULT
    )
    if not rows:
        return
    terminalreporter.section("generated projects' own test suites")
    for combination_id, outcome, seconds in rows:
        terminalreporter.line(f"{combination_id:<32} {outcome:<8} {seconds:7.1f}s")
