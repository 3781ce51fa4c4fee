"""Header mode: the tenant header (services) or ?tenant= (browsers) names the tenant."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client as HttpClient

from .conftest import (
    APP_HOST,
    communicator,
    create_tenant,
    http_kwargs,
    is_refused,
    recorded_sql,
    touches_tenant_tables,
    unique_schema_name,
)

HEADER = b"{{ cookiecutter.tenant_header.lower() }}"


def handshake(
    tenant: str | None = None, host: str = APP_HOST, origin: str | None = None
) -> list[tuple[bytes, bytes]]:
    headers = [(b"host", host.encode())]
    if tenant is not None:
        headers.append((HEADER, tenant.encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return headers


@pytest.mark.parametrize(
    ("headers", "path", "why"),
    [
        (handshake(), "/ws/items/", "no tenant named"),
        (handshake("nobody"), "/ws/items/", "unknown tenant"),
        (handshake("public"), "/ws/items/", "the public schema is not a tenant"),
        (handshake('a"b'), "/ws/items/", "malformed schema name"),
        (handshake(), "/ws/items/?tenant=", "empty query value"),
        (handshake(), "/ws/items/?tenant=a&tenant=b", "two query values"),
        (handshake(), "/ws/items/?tenant=nobody", "unknown tenant in the query"),
        (handshake("a"), "/ws/items/?tenant=b", "header and query disagree"),
        ([*handshake("a"), (HEADER, b"b")], "/ws/items/", "two headers"),
        (handshake("a", host="evil.test"), "/ws/items/", "host outside ALLOWED_HOSTS"),
        (handshake("a", origin="https://evil.test"), "/ws/items/", "a foreign page"),
    ],
    ids=lambda value: value if isinstance(value, str) and " " in value else None,
)
async def test_refused_handshakes_query_no_tenant_table(tenant_a, tenant_b, headers, path, why):
    with recorded_sql() as statements:
        assert await is_refused(headers, path), why
    assert not touches_tenant_tables(statements)


@pytest.mark.parametrize(
    ("headers", "path"),
    [
        (handshake("a"), "/ws/items/"),
        (handshake(origin=f"https://{APP_HOST}"), "/ws/items/?tenant=a"),
        (handshake("a"), "/ws/items/?tenant=a"),
    ],
    ids=["header", "browser-query", "both-agree"],
)
async def test_services_and_browsers_are_let_in(tenant_a, settings, headers, path):
    settings.ITEMS_ALLOW_ANONYMOUS = True
    socket = communicator(headers, path)
    assert (await socket.connect())[0]
    await socket.disconnect()


async def test_a_deleted_tenant_is_refused_at_once(settings):
    settings.ITEMS_ALLOW_ANONYMOUS = True
    tenant = await database_sync_to_async(create_tenant)(unique_schema_name("gone"))
    assert not await is_refused(handshake(tenant.schema_name))  # caches the lookup
    await database_sync_to_async(tenant.delete)()
    assert await is_refused(handshake(tenant.schema_name))


def test_http_requests_resolve_the_same_way(tenant_a, settings):
    settings.ITEMS_ALLOW_ANONYMOUS = True
    get = HttpClient().get
    assert get("/api/items/", **http_kwargs("a")).status_code == 200
    assert get("/api/items/?tenant=a", HTTP_HOST=APP_HOST).status_code == 200
    assert get("/api/items/?tenant=nobody", HTTP_HOST=APP_HOST).status_code == 404
    assert get("/api/items/", **http_kwargs("nobody")).status_code == 404
    # No tenant named: the public site, which has no tenant URLs.
    assert get("/api/items/", HTTP_HOST=APP_HOST).status_code == 404
    assert get("/admin/login/", HTTP_HOST=APP_HOST).status_code == 200
