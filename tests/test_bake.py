"""Every possible combination of options bakes into a clean, linted, working project."""

from pathlib import Path

import pytest
from baked_project import assert_succeeded, read_env_file, run_python

JINJA_MARKERS = ("{{", "{%", "{#")
# Django's template language shares these two markers with Jinja: HTML templates may keep them.
DJANGO_TEMPLATE_MARKERS = ("{{", "{%")
# Leftover Jinja, or a reference to the template the project came from.
LEFTOVERS = (*JINJA_MARKERS, "cookiecutter")


def is_django_template(relative: Path) -> bool:
    return relative.suffix == ".html" and "templates" in relative.parts[:-1]


def leftovers_allowed_in(relative: Path) -> tuple[str, ...]:
    return DJANGO_TEMPLATE_MARKERS if is_django_template(relative) else ()


def leftovers_in(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    lowered = text.lower()
    return [marker for marker in LEFTOVERS if marker not in allowed and marker in lowered]


def leftovers_in_file(project: Path, relative: Path) -> list[str]:
    text = (project / relative).read_bytes().decode(errors="replace")
    return leftovers_in(text, allowed=leftovers_allowed_in(relative))


def test_bake_succeeds(baked):
    assert baked.result.exception is None, baked.result.exception
    assert baked.result.exit_code == 0
    assert baked.result.project_path.is_dir()
    assert baked.files


def test_no_template_leftovers_in_file_names(baked, project):
    offenders = {
        str(relative): found for relative in baked.files if (found := leftovers_in(str(relative)))
    }
    assert offenders == {}


def test_no_template_leftovers_in_file_contents(baked, project):
    offenders = {
        str(relative): found
        for relative in baked.files
        if (found := leftovers_in_file(project, relative))
    }
    assert offenders == {}


def test_no_empty_files(baked, project):
    empty = [
        str(relative) for relative in baked.files if not (project / relative).read_bytes().strip()
    ]
    assert empty == []


@pytest.mark.parametrize(
    "command", [("check", "."), ("format", "--check", ".")], ids=["check", "format"]
)
def test_ruff_passes(project, command):
    assert_succeeded(run_python(project, "-m", "ruff", *command))


def test_python_files_compile(project):
    assert_succeeded(run_python(project, "-m", "compileall", "-q", "."))


def removals_not_followed(project: Path, answers: dict, removals: dict):
    """The files of the post-gen hook's table that are present when their option has the value
    that removes them, or missing when it has another."""
    for (option, value), paths in removals.items():
        removed = answers[option] == value
        for path in paths:
            relative = path.format(slug=answers["project_slug"])
            if (project / relative).exists() == removed:
                state = "present" if removed else "missing"
                yield f"{relative} is {state} with {option}={answers[option]}"


def test_option_files_follow_the_removals_table(baked, project, post_gen_hook):
    wrong = list(removals_not_followed(project, baked.answers, post_gen_hook.REMOVALS))
    assert wrong == []


def test_celery_only_when_a_broker_is_chosen(project, combination):
    celery_on = combination.celery_broker != "none"
    assert (project / "config" / "celery.py").exists() == celery_on
    assert ("celery" in (project / "pyproject.toml").read_text().lower()) == celery_on


@pytest.mark.parametrize(
    "layer, backend",
    [("redis", "channels_redis"), ("in_memory", "InMemoryChannelLayer")],
    ids=["redis", "in_memory"],
)
def test_channel_layer_backend(project, combination, layer, backend):
    settings = (project / "config" / "settings.py").read_text()
    assert (backend in settings) == (combination.channel_layer == layer)


def test_tenant_header_setting_only_in_header_mode(project, combination):
    settings = (project / "config" / "settings.py").read_text()
    if combination.tenant_resolution == "header":
        assert 'TENANT_HEADER = "X-Tenant"' in settings
    else:
        assert "TENANT_HEADER" not in settings


def test_env_file_has_a_fresh_secret_key(project):
    secret_key = read_env_file(project / ".env").get("DJANGO_SECRET_KEY", "")
    assert secret_key != "change-me"
    assert len(secret_key) >= 40


def test_env_file_is_git_ignored(project):
    ignored = {line.strip() for line in (project / ".gitignore").read_text().splitlines()}
    assert ignored & {".env", "/.env"}


def test_manage_py_check_passes(project):
    assert_succeeded(run_python(project, "manage.py", "check"))
