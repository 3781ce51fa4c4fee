"""The hooks: every answer the pre-gen hook refuses, and the post-gen hook's helpers."""

import json
from pathlib import Path

import pytest
from baked_project import read_env_file
from conftest import TEMPLATE_DIR
from cookiecutter.exceptions import FailedHookException

VALID_ANSWERS = {
    "project_name": "Acme SaaS",
    "project_slug": "acme_saas",
    "description": "A multi-tenant, real-time Django project.",
    "author_name": "Your Name",
    "email": "you@example.com",
    "domain_name": "example.com",
    "tenant_resolution": "subdomain",
    "tenant_header": "X-Tenant",
    "channel_layer": "redis",
    "celery_broker": "redis",
}


def answers(**changes: str) -> dict:
    return {**VALID_ANSWERS, **changes}


def bad_slug(slug: str, reason: str, id: str):
    return pytest.param({"project_slug": slug}, f"project_slug {slug!r} {reason}", id=id)


def bad_domain(domain: str, id: str, reason: str = "must be a lowercase hostname"):
    return pytest.param({"domain_name": domain}, f"domain_name {domain!r} {reason}", id=id)


# Header names refused in header mode (and ignored in subdomain mode): id -> (header, reason).
BAD_HEADERS = {
    "space": ("X Tenant", "must be an HTTP header name"),
    "underscore": ("X_Tenant", "contains '_'"),
    "reserved": ("Host", "is a header HTTP or WebSockets already use"),
    "empty": ("", "must be an HTTP header name"),
}
HEADER_REJECTIONS = [
    pytest.param(
        {"tenant_resolution": "header", "tenant_header": header},
        f"tenant_header {header!r} {reason}",
        id=f"header-{name}",
    )
    for name, (header, reason) in BAD_HEADERS.items()
]

NOT_AN_IDENTIFIER = "must be a lowercase Python identifier"
SHADOWS = "would shadow the module"
IMPOSSIBLE = "channel_layer=in_memory cannot carry messages from Celery workers"

REJECTIONS = [
    bad_slug("Acme", NOT_AN_IDENTIFIER, id="slug-uppercase"),
    bad_slug("1acme", NOT_AN_IDENTIFIER, id="slug-leading-digit"),
    bad_slug("acme-saas", NOT_AN_IDENTIFIER, id="slug-dash"),
    bad_slug("", NOT_AN_IDENTIFIER, id="slug-empty"),
    bad_slug("class", "is a Python keyword", id="slug-keyword"),
    bad_slug("json", SHADOWS, id="slug-stdlib"),
    bad_slug("django", SHADOWS, id="slug-django"),
    bad_slug("channels", SHADOWS, id="slug-dependency"),
    bad_slug("config", SHADOWS, id="slug-config"),
    bad_slug("tests", SHADOWS, id="slug-tests"),
    pytest.param({"project_name": ""}, "project_name must not be empty", id="name-empty"),
    pytest.param({"project_name": "  "}, "project_name must not be empty", id="name-blank"),
    *(
        pytest.param(
            {key: f"Acme {unsafe} SaaS"},
            f"{key} must not contain double quotes, backslashes or line breaks",
            id=f"{key}-{name}",
        )
        for key in ("project_name", "description", "author_name", "email")
        for name, unsafe in (("quotes", '"""'), ("backslash", "\\"), ("newline", "\n"))
    ),
    bad_slug("msgpack", SHADOWS, id="slug-transitive-dependency"),
    bad_slug("pytest_asyncio", SHADOWS, id="slug-test-dependency"),
    bad_domain("Example.com", id="domain-uppercase"),
    bad_domain("http://example.com", id="domain-scheme"),
    bad_domain("example.com.", id="domain-trailing-dot"),
    bad_domain("exa_mple.com", id="domain-underscore"),
    bad_domain("example.com:8000", id="domain-port"),
    bad_domain("", id="domain-empty"),
    bad_domain(".".join(["a" * 50] * 4), id="domain-too-long", reason="leaves no room"),
    *HEADER_REJECTIONS,
    pytest.param(
        {"tenant_resolution": "path"},
        "tenant_resolution must be one of subdomain, header, not 'path'",
        id="choice-tenant_resolution",
    ),
    pytest.param(
        {"channel_layer": "kafka"},
        "channel_layer must be one of redis, in_memory, not 'kafka'",
        id="choice-channel_layer",
    ),
    pytest.param(
        {"celery_broker": "sqs"},
        "celery_broker must be one of redis, rabbitmq, none, not 'sqs'",
        id="choice-celery_broker",
    ),
    pytest.param(
        {"channel_layer": "in_memory", "celery_broker": "redis"},
        IMPOSSIBLE,
        id="in_memory-redis",
    ),
    pytest.param(
        {"channel_layer": "in_memory", "celery_broker": "rabbitmq"},
        IMPOSSIBLE,
        id="in_memory-rabbitmq",
    ),
]


def test_the_hook_knows_the_choices_of_cookiecutter_json(pre_gen_hook):
    options = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    assert {key: tuple(options[key]) for key in pre_gen_hook.CHOICES} == pre_gen_hook.CHOICES


def test_validate_accepts_every_possible_combination(pre_gen_hook, combination):
    assert pre_gen_hook.validate(answers(**combination.context)) == []


@pytest.mark.parametrize("changes, problem", REJECTIONS)
def test_validate_rejects(pre_gen_hook, changes, problem):
    problems = pre_gen_hook.validate(answers(**changes))
    assert len(problems) == 1, problems
    assert problem in problems[0]


@pytest.mark.parametrize(
    "header", [header for header, _ in BAD_HEADERS.values()], ids=list(BAD_HEADERS)
)
def test_subdomain_mode_ignores_the_header_name(pre_gen_hook, header):
    assert pre_gen_hook.validate(answers(tenant_resolution="subdomain", tenant_header=header)) == []


def test_validate_reports_each_problem_on_its_own_line(pre_gen_hook):
    problems = pre_gen_hook.validate(
        answers(
            project_name="",
            project_slug="Acme",
            domain_name="Example.com",
            tenant_resolution="header",
            tenant_header="X Tenant",
            channel_layer="in_memory",
            celery_broker="rabbitmq",
        )
    )
    assert [problem.split(" ", 1)[0] for problem in problems] == [
        "project_name",
        "project_slug",
        "domain_name",
        "tenant_header",
        "channel_layer=in_memory",
    ]
    assert all("\n" not in problem for problem in problems)


def is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


# An empty slug names the output folder itself, and an unknown choice is refused by
# cookiecutter's own check of extra context: neither reaches the hook.
BAKED_REJECTIONS = [
    rejection
    for rejection in REJECTIONS
    if rejection.id != "slug-empty" and not rejection.id.startswith("choice-")
]


@pytest.mark.parametrize("changes, problem", BAKED_REJECTIONS)
def test_refused_bake_names_the_problem_and_leaves_nothing(
    cookies, capfd, tmp_path, changes, problem
):
    # The slug is given, so an empty name still reaches the hook instead of an empty folder.
    result = cookies.bake(extra_context={"project_slug": VALID_ANSWERS["project_slug"], **changes})

    assert isinstance(result.exception, FailedHookException)
    assert result.exit_code != 0
    # The hook runs as a child process writing to the real stderr: capfd, not capsys.
    assert f"ERROR: {problem}" in capfd.readouterr().err
    # pytest-cookies bakes into an output directory of its own under tmp_path/cookies (the
    # `cookies` fixture's tmpdir is this test's tmp_path): nothing but empty directories stays.
    outputs = tmp_path / "cookies"
    assert outputs.is_dir()
    assert [path for path in outputs.rglob("*") if not is_empty_dir(path)] == []
    # Not even the project's own (empty) folder.
    slug = changes.get("project_slug") or VALID_ANSWERS["project_slug"]
    assert not [path for path in outputs.rglob("*") if path.name == slug]


def test_paths_to_remove_without_celery(post_gen_hook):
    assert "config/celery.py" in post_gen_hook.paths_to_remove(answers(celery_broker="none"))


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_paths_to_remove_keeps_celery_with_a_broker(post_gen_hook, broker):
    assert "config/celery.py" not in post_gen_hook.paths_to_remove(answers(celery_broker=broker))


@pytest.mark.parametrize(
    "broker, mentions_worker", [("redis", True), ("rabbitmq", True), ("none", False)]
)
def test_next_steps_mention_the_worker_only_with_celery(post_gen_hook, broker, mentions_worker):
    steps = post_gen_hook.next_steps(answers(celery_broker=broker))
    assert ("worker" in steps) == mentions_worker


def test_write_env_file_writes_a_fresh_key_each_time(post_gen_hook, tmp_path):
    (tmp_path / ".env.example").write_text("DJANGO_SECRET_KEY=change-me\nDJANGO_DEBUG=true\n")

    def fresh_env() -> dict[str, str]:
        post_gen_hook.write_env_file(tmp_path)
        return read_env_file(tmp_path / ".env")

    first, second = fresh_env(), fresh_env()
    assert first["DJANGO_SECRET_KEY"] != second["DJANGO_SECRET_KEY"]
    assert len(first["DJANGO_SECRET_KEY"]) >= 40
    assert first["DJANGO_DEBUG"] == "true"
