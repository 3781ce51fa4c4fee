"""The development and deployment files of every combination, each checked by a tool that knows
its format, and for the facts the options decide.

- `docker-compose.yml`: the Compose Specification's JSON schema (the copy check-jsonschema
  vendors); exactly the services the options need, wired to one another.
- `Dockerfile` (and `.dockerignore`): hadolint; dockerfile-parse for what it installs and runs,
  as whom; its `manage.py` build steps run on a copy of the build context.
- `.github/workflows/ci.yml`: GitHub's workflow schema (check-jsonschema) and `bash -n` on each
  step; the service containers the options need, and the suite run against them.
- `.pre-commit-config.yaml`: `pre-commit validate-config`; ruff's hooks at the project's ruff.
- `Makefile`: `make -n` of each target; `make help` lists exactly the targets.

Every validator is also shown a broken file, so one that passes everything fails here.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from dockerfile_parse import DockerfileParser
from packaging.specifiers import SpecifierSet

COMPOSE = "docker-compose.yml"
DOCKERFILE = "Dockerfile"
DOCKERIGNORE = ".dockerignore"
WORKFLOW = ".github/workflows/ci.yml"
PRE_COMMIT = ".pre-commit-config.yaml"
MAKEFILE = "Makefile"
DEV_FILES = (COMPOSE, DOCKERFILE, DOCKERIGNORE, WORKFLOW, PRE_COMMIT, MAKEFILE)

# The console scripts installed beside this interpreter (hadolint's binary among them).
SCRIPTS = Path(sysconfig.get_path("scripts"))

# The service URLs the project reads; the backing services, their ports and URL schemes.
URL_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
SERVICE_PORTS = {"postgres": 5432, "redis": 6379, "rabbitmq": 5672}
SCHEMES = {"postgres": "postgres", "redis": "redis", "rabbitmq": "amqp"}

PRODUCTION_COMMAND = [
    "uvicorn",
    "config.asgi:application",
    "--host",
    "0.0.0.0",
    "--port",
    "8000",
    "--proxy-headers",
]


# The options' consequences -------------------------------------------------------------------


def uses_redis(combination) -> bool:
    return combination.channel_layer == "redis" or combination.celery_broker == "redis"


def celery_on(combination) -> bool:
    return combination.celery_broker != "none"


def backing_services(combination) -> set[str]:
    services = {"postgres"}
    if uses_redis(combination):
        services.add("redis")
    if combination.celery_broker == "rabbitmq":
        services.add("rabbitmq")
    return services


def app_services(combination) -> set[str]:
    return {"web", "worker", "beat"} if celery_on(combination) else {"web"}


def url_targets(combination) -> dict[str, str]:
    """Each URL variable the project needs under these options -> the service it points at."""
    targets = {"DATABASE_URL": "postgres"}
    if uses_redis(combination):
        targets["REDIS_URL"] = "redis"
    if celery_on(combination):
        targets["CELERY_BROKER_URL"] = combination.celery_broker
    return targets


# Running the validators ----------------------------------------------------------------------


def tool(name: str) -> str:
    found = shutil.which(name, path=str(SCRIPTS)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -r requirements-dev.txt")
    return found


def clean_env(**overrides: str) -> dict[str, str]:
    """This environment without pytest's or an outer make's variables, plus `overrides`."""
    outer = ("PYTEST_", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {name: value for name, value in os.environ.items() if not name.startswith(outer)}
    env.update(overrides)
    return env


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None):
    return subprocess.run(
        list(args),
        cwd=cwd,
        env=env or clean_env(),
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )


def assert_ok(result: subprocess.CompletedProcess) -> str:
    if result.returncode != 0:
        pytest.fail(f"`{' '.join(result.args)}` exited {result.returncode}:\n{result.stdout}")
    return result.stdout


def check_jsonschema(path: Path, schema: str):
    command = ("-m", "check_jsonschema", "--builtin-schema", schema, path.name)
    return run(sys.executable, *command, cwd=path.parent)


def validate_compose(path: Path):
    return check_jsonschema(path, "vendor.compose-spec")


def validate_workflow(path: Path):
    return check_jsonschema(path, "vendor.github-workflows")


def validate_workflow_timeouts(path: Path):
    return check_jsonschema(path, "custom.github-workflows-require-timeout")


def validate_dockerfile(path: Path):
    return run(tool("hadolint"), "--no-color", path.name, cwd=path.parent)


def validate_pre_commit(path: Path):
    env = clean_env(PRE_COMMIT_HOME=str(path.parent / ".pre-commit-home"))
    return run(
        sys.executable, "-m", "pre_commit", "validate-config", path.name, cwd=path.parent, env=env
    )


def validate_makefile(path: Path, *targets: str):
    """`make -n`: parses the Makefile and prints the targets' commands without running them."""
    return run("make", "-n", "--no-print-directory", "-f", path.name, *targets, cwd=path.parent)


def validate_bash(script: str, cwd: Path):
    return run("bash", "-n", cwd=cwd, stdin=script)


# Reading the files ---------------------------------------------------------------------------


def load_yaml(project: Path, relative: str) -> dict:
    return yaml.safe_load((project / relative).read_text())


def env_example_names(project: Path) -> set[str]:
    """The settings `.env.example` lists, set or commented out (`# NAME=value`)."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")
    lines = (project / ".env.example").read_text().splitlines()
    return {match.group(1) for line in lines if (match := pattern.match(line))}


def pyproject(project: Path) -> dict:
    return tomllib.loads((project / "pyproject.toml").read_text())


def command_text(command) -> str:
    return " ".join(command) if isinstance(command, list) else " ".join(command.split())


# docker-compose.yml --------------------------------------------------------------------------


def test_compose_follows_the_compose_specification(project):
    assert_ok(validate_compose(project / COMPOSE))


def test_compose_has_exactly_the_services_the_options_need(project, combination):
    services = load_yaml(project, COMPOSE)["services"]
    assert set(services) == backing_services(combination) | app_services(combination)


@pytest.mark.parametrize(
    "service, expected",
    [
        (
            "web",
            ["python manage.py migrate_schemas", "uvicorn config.asgi:application", "--reload"],
        ),
        ("worker", ["celery -A config.celery worker"]),
        ("beat", ["celery -A config.celery beat"]),
    ],
    ids=["web", "worker", "beat"],
)
def test_compose_app_commands(project, combination, service, expected):
    services = load_yaml(project, COMPOSE)["services"]
    if service not in app_services(combination):
        assert service not in services
        return
    command = command_text(services[service]["command"])
    assert [part for part in expected if part not in command] == []


def test_compose_app_services_use_the_backing_services(project, combination):
    services = load_yaml(project, COMPOSE)["services"]
    settings = env_example_names(project)
    targets = url_targets(combination)
    for name in app_services(combination):
        service = services[name]
        environment = service["environment"]
        assert set(environment) <= settings, f"{name} sets what .env.example does not list"
        assert {var for var in URL_VARIABLES if var in environment} == set(targets), name
        for variable, target in targets.items():
            url = urlsplit(environment[variable])
            assert (url.scheme, url.hostname) == (SCHEMES[target], target), (name, variable)
        database = urlsplit(environment["DATABASE_URL"]).path.lstrip("/")
        assert database == services["postgres"]["environment"]["POSTGRES_DB"]
        assert service["depends_on"] == {
            backing: {"condition": "service_healthy"} for backing in backing_services(combination)
        }, name
        assert service["command"], name


def test_compose_backing_services_are_healthchecked_and_local_only(project, combination):
    services = load_yaml(project, COMPOSE)["services"]
    for name in backing_services(combination):
        assert services[name]["healthcheck"]["test"], name
        assert f"127.0.0.1:{SERVICE_PORTS[name]}:{SERVICE_PORTS[name]}" in services[name]["ports"]
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert [port for port in published if not str(port).startswith("127.0.0.1:")] == []


# Dockerfile ----------------------------------------------------------------------------------


def dockerfile(project: Path) -> DockerfileParser:
    return DockerfileParser(str(project / DOCKERFILE), cache_content=True)


def instructions(parser: DockerfileParser, kind: str) -> list[dict]:
    return [item for item in parser.structure if item["instruction"] == kind]


def test_dockerfile_passes_hadolint(project):
    assert_ok(validate_dockerfile(project / DOCKERFILE))


def test_dockerfile_installs_the_project_and_serves_it_as_a_non_root_user(project, combination):
    parser = dockerfile(project)
    assert parser.baseimage.startswith("python:3.11")
    runs = instructions(parser, "RUN")
    install = re.compile(r"\bpip install [\"']?\.(/|[\"'\s\[]|$)")
    assert [item for item in runs if install.search(item["value"])], "no `pip install .`"
    users = instructions(parser, "USER")
    assert users, "no USER: the server would run as root"
    user = users[-1]
    assert user["value"].split(":")[0] not in {"root", "0"}
    assert user["startline"] > max(item["startline"] for item in runs)
    (cmd,) = instructions(parser, "CMD")
    assert cmd["startline"] > user["startline"]
    assert json.loads(parser.cmd) == PRODUCTION_COMMAND
    assert "8000" in [item["value"] for item in instructions(parser, "EXPOSE")]
    workers = int(parser.envs["WEB_CONCURRENCY"])
    # The in-memory layer reaches only the sockets of its own process.
    assert (workers == 1) if combination.channel_layer == "in_memory" else (workers >= 2)


def dockerignore_patterns(project: Path) -> list[str]:
    lines = (project / DOCKERIGNORE).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_dockerignore_keeps_secrets_and_local_state_out(project):
    assert {".env", ".embedded", ".venv", ".git"} <= set(dockerignore_patterns(project))


def build_context(project: Path, destination: Path) -> Path:
    """A copy of the project less what `.dockerignore` excludes (its patterns, simplified)."""
    patterns = [
        pattern.removeprefix("**/").strip("/") for pattern in dockerignore_patterns(project)
    ]

    def ignored(_directory, names):
        return {name for name in names if any(fnmatch(name, pattern) for pattern in patterns)}

    return Path(shutil.copytree(project, destination, ignore=ignored))


def test_dockerfile_manage_py_steps_run_in_the_build_context(project, tmp_path):
    """The image's `manage.py` steps (collectstatic) work with no .env and no service URLs."""
    steps = [item["value"] for item in instructions(dockerfile(project), "RUN")]
    steps = [step for step in steps if "manage.py" in step]
    assert steps, "no manage.py step"
    context = build_context(project, tmp_path / "app")
    assert not (context / ".env").exists()
    unset = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    env = {name: value for name, value in clean_env().items() if not name.startswith(unset)}
    env.update(PATH=f"{SCRIPTS}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(context))
    for step in steps:
        assert_ok(run("sh", "-c", step, cwd=context, env=env))
    if any("collectstatic" in step for step in steps):
        assert any((context / "staticfiles").iterdir())


# .github/workflows/ci.yml --------------------------------------------------------------------


def workflow_jobs(project: Path) -> dict:
    return load_yaml(project, WORKFLOW)["jobs"]


def step_scripts(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_workflow_follows_the_github_workflow_schema(project):
    assert_ok(validate_workflow(project / WORKFLOW))
    assert_ok(validate_workflow_timeouts(project / WORKFLOW))


def test_workflow_steps_are_valid_bash(project):
    for job in workflow_jobs(project).values():
        for script in step_scripts(job):
            assert_ok(validate_bash(script, project))


def test_workflow_service_containers_follow_the_options(project, combination):
    services = workflow_jobs(project)["test"]["services"]
    assert set(services) == backing_services(combination)
    for name, service in services.items():
        port = SERVICE_PORTS[name]
        assert service["ports"] == [f"{port}:{port}"], name
        assert "--health-cmd" in service["options"], name


def test_workflow_runs_the_suite_against_the_service_containers(project, combination):
    job = workflow_jobs(project)["test"]
    env = job["env"]
    assert set(env) <= env_example_names(project)
    assert env.get("DJANGO_SECRET_KEY")
    targets = url_targets(combination)
    # A URL left out would not fail the suite: the tests would use an embedded server instead.
    assert {var for var in URL_VARIABLES if var in env} == set(targets)
    for variable, target in targets.items():
        url = urlsplit(env[variable])
        assert (url.scheme, url.hostname, url.port) == (
            SCHEMES[target],
            "127.0.0.1",
            SERVICE_PORTS[target],
        ), variable
    postgres = job["services"]["postgres"]["env"]
    database = urlsplit(env["DATABASE_URL"])
    assert database.password == postgres["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == postgres["POSTGRES_DB"]
    scripts = "\n".join(step_scripts(job))
    assert "pip install -e '.[dev]'" in scripts
    assert re.search(r"^(python -m )?pytest\b", scripts, re.MULTILINE)


def test_workflow_lints_with_ruff_on_the_project_python(project):
    jobs = workflow_jobs(project)
    lint = "\n".join(step_scripts(jobs["lint"]))
    assert "ruff check" in lint
    assert "ruff format --check" in lint
    requires = SpecifierSet(pyproject(project)["project"]["requires-python"])
    for name, job in jobs.items():
        versions = [
            step["with"]["python-version"]
            for step in job["steps"]
            if step.get("uses", "").startswith("actions/setup-python@")
        ]
        assert versions, f"{name} sets up no Python"
        assert [version for version in versions if version not in requires] == [], name


# .pre-commit-config.yaml ---------------------------------------------------------------------


def test_pre_commit_config_is_valid(project, tmp_path):
    config = tmp_path / PRE_COMMIT
    shutil.copy(project / PRE_COMMIT, config)
    assert_ok(validate_pre_commit(config))


def test_pre_commit_runs_ruff_at_the_version_of_the_project(project):
    repos = {repo["repo"]: repo for repo in load_yaml(project, PRE_COMMIT)["repos"]}
    ruff = repos["https://github.com/astral-sh/ruff-pre-commit"]
    assert {"ruff-check", "ruff-format"} <= {hook["id"] for hook in ruff["hooks"]}
    dev = pyproject(project)["project"]["optional-dependencies"]["dev"]
    (pinned,) = [requirement for requirement in dev if requirement.startswith("ruff==")]
    assert ruff["rev"] == "v" + pinned.removeprefix("ruff==")


# Makefile ------------------------------------------------------------------------------------


def make_targets(combination) -> dict[str, list[str]]:
    """Each target the options call for -> what `make -n` must print for it."""
    python = ".venv/bin/python"
    workers = 1 if combination.channel_layer == "in_memory" else 2
    services = " ".join(sorted(backing_services(combination), key=list(SERVICE_PORTS).index))
    targets = {
        "help": ["awk"],
        "install": ["python3 -m venv .venv", f"{python} -m pip install -e '.[dev]'"],
        "migrate": [f"{python} manage.py migrate_schemas"],
        "tenant": [f"{python} manage.py add_tenant acme"],
        "superuser": [f"{python} manage.py create_tenant_superuser --schema=acme"],
        "run": [f"{python} -m uvicorn config.asgi:application --reload"],
        "serve": [
            f"{python} -m uvicorn config.asgi:application --host 0.0.0.0 --port 8000 "
            f"--workers {workers} --proxy-headers"
        ],
        "test": [f"{python} -m pytest"],
        "lint": [f"{python} -m ruff check .", f"{python} -m ruff format --check ."],
        "format": [f"{python} -m ruff check --fix .", f"{python} -m ruff format ."],
        "check": [f"{python} manage.py check", f"{python} manage.py makemigrations --check"],
        "services": [f"docker compose up -d --wait {services}\n"],
        "up": ["docker compose up --build"],
        "down": ["docker compose down"],
        "logs": ["docker compose logs -f"],
    }
    if celery_on(combination):
        targets["worker"] = [f"{python} -m celery -A config.celery worker -l info"]
        targets["beat"] = [f"{python} -m celery -A config.celery beat -l info"]
    return targets


# Every target of any combination; one a combination lacks must have no rule.
ALL_TARGETS = (
    "help",
    "install",
    "migrate",
    "tenant",
    "superuser",
    "run",
    "serve",
    "worker",
    "beat",
    "test",
    "lint",
    "format",
    "check",
    "services",
    "up",
    "down",
    "logs",
)


@pytest.mark.parametrize("target", ALL_TARGETS)
def test_make_target_dry_runs(project, combination, target):
    targets = make_targets(combination)
    result = validate_makefile(project / MAKEFILE, target)
    if target not in targets:
        assert result.returncode != 0
        assert "No rule to make target" in result.stdout
        return
    output = assert_ok(result)
    assert [command for command in targets[target] if command not in output] == []


def test_make_help_lists_exactly_the_targets(project, combination):
    expected = set(make_targets(combination))
    listed = assert_ok(run("make", "--no-print-directory", "help", cwd=project, env=clean_env()))
    assert {line.split()[0] for line in listed.splitlines() if line.strip()} == expected
    # `make` alone is `make help`.
    default = assert_ok(run("make", "--no-print-directory", cwd=project, env=clean_env()))
    assert default == listed
    text = (project / MAKEFILE).read_text()
    (phony,) = [line for line in text.splitlines() if line.startswith(".PHONY:")]
    assert set(phony.removeprefix(".PHONY:").split()) == expected


def test_make_variables_can_be_overridden(project):
    result = validate_makefile(project / MAKEFILE, "tenant", "TENANT=globex", "PYTHON=python")
    assert assert_ok(result).strip() == "python manage.py add_tenant globex"


# Every file ----------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", DEV_FILES)
def test_dev_file_is_tidy(project, relative):
    """What pre-commit's whitespace hooks would demand, and no blank-line litter from Jinja."""
    text = (project / relative).read_text()
    assert text.endswith("\n") and not text.endswith("\n\n"), "must end in one newline"
    lines = text.splitlines()
    assert lines[0].strip(), "starts with a blank line"
    assert [n for n, line in enumerate(lines, 1) if line != line.rstrip()] == [], "trailing space"
    assert "\n\n\n" not in text, "two blank lines in a row"
    if relative != MAKEFILE:
        assert "\t" not in text
    else:
        assert all(line.startswith("\t") for line in lines if line.startswith((" ", "\t")))


# The validators themselves -------------------------------------------------------------------

BROKEN = {
    "compose": (COMPOSE, "services:\n  web:\n    image: 3\n    commandd: run\n", validate_compose),
    "workflow": (
        "ci.yml",
        "name: CI\non: push\njobs:\n  test:\n    timeout-minutes: 5\n    steps: []\n",
        validate_workflow,
    ),
    "workflow-timeouts": (
        "ci.yml",
        "name: CI\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: pytest\n",
        validate_workflow_timeouts,
    ),
    "dockerfile": (DOCKERFILE, "FROM python\nRUN cd /app && pip install .\n", validate_dockerfile),
    "pre-commit": (
        PRE_COMMIT,
        "repos:\n  - repo: https://example.com/x\n    hooks: []\n",
        validate_pre_commit,
    ),
    # Spaces where a recipe needs a tab: make stops with "missing separator".
    "makefile": (MAKEFILE, "test:\n    pytest\n", validate_makefile),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_validator_rejects_a_broken_file(tmp_path, kind):
    name, text, validate = BROKEN[kind]
    path = tmp_path / name
    path.write_text(text)
    assert validate(path).returncode != 0


def test_bash_check_rejects_a_broken_script(tmp_path):
    assert validate_bash("if true; then\n  pytest\n", tmp_path).returncode != 0
