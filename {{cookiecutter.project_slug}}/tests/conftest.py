"""Fixtures: a test database of this run's own, tenants a and b, users, and socket helpers.

Tests run against the real PostgreSQL{% if cookiecutter.channel_layer == "redis" %} and Redis{% endif %} of the settings. Tenants are created once per run
(each is a migrated schema); tests keep the database between them and clean up what they add,
because WebSocket code queries from other threads and must see committed rows.
"""

import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.backends.postgresql.base import Cursor
from django.test import Client as HttpClient
from django.test.utils import setup_databases, teardown_databases
from django_tenants.utils import get_tenant_domain_model, get_tenant_model, tenant_context

from {{ cookiecutter.project_slug }}.items.models import Item
from {{ cookiecutter.project_slug }}.tenancy.context import public_tenant, set_active_tenant

from config.asgi import application

# The test process works on the shared schema unless a test picks a tenant, as manage.py
# does; async tests inherit this from the context the event loop starts in.
set_active_tenant(public_tenant())

PROJECT_DIR = Path(__file__).resolve().parent.parent
DOMAIN = "{{ cookiecutter.domain_name }}"
PASSWORD = "correct horse battery staple"
_schema_counter = itertools.count()


def create_tenant(schema_name: str):
    tenant = get_tenant_model()(schema_name=schema_name, name=schema_name.upper())
    tenant.save(verbosity=0)
    get_tenant_domain_model().objects.create(
        domain=f"{schema_name}.{DOMAIN}", tenant=tenant, is_primary=True
    )
    return tenant


def unique_schema_name(prefix: str = "t") -> str:
    return f"{prefix}{next(_schema_counter)}"


def skip_or_fail(reason: str) -> None:
    """A missing server skips the tests that need it on a laptop, and fails them in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: a missing service is a failure)", pytrace=False)
    pytest.skip(reason)


def require_server(name: str, host: str, port: int) -> None:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as error:
        skip_or_fail(f"{name} is not reachable at {host}:{port} ({error})")


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.1)


def database_url_of_this_run() -> str:
    db = connection.settings_dict
    user = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    if db["HOST"]:
        return f"postgres://{user}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"postgres://{user}@/{db['NAME']}?host={db['OPTIONS']['host']}"


def environment_of_this_run() -> dict[str, str]:
    """The environment of a process that works on this run's database and servers.

    It starts no embedded server of its own, whose exit could stop the one the run is using.
    """
    return {
        **os.environ,
        "DATABASE_URL": database_url_of_this_run(),
{%- if cookiecutter.channel_layer == "redis" or cookiecutter.celery_broker == "redis" %}
        "REDIS_URL": settings.REDIS_URL,
{%- endif %}
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
    }


def in_another_process(code: str) -> None:
    """Run `code` in `manage.py shell`: another process of this project, on this run's data."""
    command = [sys.executable, "manage.py", "shell", "--no-imports", "-c", code]
    subprocess.run(command, cwd=PROJECT_DIR, env=environment_of_this_run(), check=True)


@pytest.fixture(scope="session", autouse=True)
def database(django_db_blocker) -> Iterator[None]:
    """This run's test database, open to every test; dropped at the end of the run."""
    db = settings.DATABASES["default"]
    if db["HOST"]:  # embedded servers listen on a Unix socket, in OPTIONS["host"]
        require_server("PostgreSQL", db["HOST"], int(db["PORT"] or 5432))
    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=0, interactive=False)
        try:
            yield
        finally:
            close_other_sessions()
            teardown_databases(databases, verbosity=0)


def close_other_sessions() -> None:
    """End the connections of the threads that ran sync code for async tests."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def public_tenant():
    """The public schema's row, serving the bare base domain (the site that is no tenant's)."""
    tenant = get_tenant_model()(schema_name="public", name="Public")
    tenant.save(verbosity=0)
    get_tenant_domain_model().objects.create(domain=DOMAIN, tenant=tenant, is_primary=True)
    return tenant


@pytest.fixture(scope="session")
def tenant_a():
    return create_tenant("a")


@pytest.fixture(scope="session")
def tenant_b():
    return create_tenant("b")


@pytest.fixture(scope="session")
def cookie_a(tenant_a) -> str:
    return session_cookie(tenant_a)


@pytest.fixture(scope="session")
def cookie_b(tenant_b) -> str:
    return session_cookie(tenant_b)


@pytest.fixture(autouse=True)
def _remove_items(request) -> Iterator[None]:
    yield
    for tenant in get_tenant_model().objects.exclude(schema_name="public"):
        with tenant_context(tenant):
            Item.objects.all().delete()


def create_user(tenant, username: str = "alice"):
    with tenant_context(tenant):
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        return user or user_model.objects.create_user(username, password=PASSWORD)


def session_cookie(tenant, username: str = "alice") -> str:
    """A `sessionid` of a user logged in to `tenant` (its session lives in the tenant's schema)."""
    create_user(tenant, username)
    client = HttpClient()
    with tenant_context(tenant):
        assert client.login(username=username, password=PASSWORD)
    return client.cookies["sessionid"].value
{%- if cookiecutter.tenant_resolution == "subdomain" %}


def tenant_headers(tenant) -> list[tuple[bytes, bytes]]:
    """Handshake headers that name `tenant`, the way its browser page connects."""
    host = f"{tenant.schema_name}.{DOMAIN}".encode()
    return [(b"host", host), (b"origin", b"https://" + host)]


def http_kwargs(schema_name: str) -> dict:
    """Django test client arguments for a request to the tenant `schema_name`."""
    return {"HTTP_HOST": f"{schema_name}.{DOMAIN}"}
{%- else %}


APP_HOST = f"app.{DOMAIN}"


def tenant_headers(tenant) -> list[tuple[bytes, bytes]]:
    """Handshake headers that name `tenant`, the way a service connects."""
    return [
        (b"host", APP_HOST.encode()),
        (b"{{ cookiecutter.tenant_header.lower() }}", tenant.schema_name.encode()),
    ]


def http_kwargs(schema_name: str) -> dict:
    """Django test client arguments for a request to the tenant `schema_name`."""
    return {"HTTP_HOST": APP_HOST, "headers": {"{{ cookiecutter.tenant_header }}": schema_name}}
{%- endif %}


def communicator(
    headers: list[tuple[bytes, bytes]], path: str = "/ws/items/", cookie: str | None = None
) -> WebsocketCommunicator:
    if cookie is not None:
        headers = [*headers, (b"cookie", f"sessionid={cookie}".encode())]
    return WebsocketCommunicator(application, path, headers=headers)


async def open_socket(tenant, cookie: str | None = None, path: str = "/ws/items/"):
    """A connected demo socket of `tenant`, its initial `items` frame already read."""
    socket = communicator(tenant_headers(tenant), path, cookie)
    connected, code = await socket.connect()
    assert connected, f"handshake refused ({code})"
    first = await socket.receive_json_from()
    assert first["type"] == "items"
    return socket


async def is_refused(headers: list[tuple[bytes, bytes]], path: str = "/ws/items/") -> bool:
    socket = communicator(headers, path)
    connected, _code = await socket.connect()
    await socket.disconnect()
    return not connected


TENANT_TABLES = ("items_item", "auth_user", "django_session")


def touches_tenant_tables(statements: list[str]) -> bool:
    return any(table in sql for sql in statements for table in TENANT_TABLES)


@contextmanager
def recorded_sql() -> Iterator[list[str]]:
    """Every SQL statement sent by any thread while the block runs, `SET search_path` included."""
    statements: list[str] = []
    lock = threading.Lock()
    original = Cursor.execute

    def record(self, query, params=None, **kwargs):
        with lock:
            statements.append(str(query))
        return original(self, query, params, **kwargs)

    Cursor.execute = record
    try:
        yield statements
    finally:
        Cursor.execute = original
