"""Subdomain mode: the handshake's Host names the tenant; everything else is refused."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client as HttpClient
from django_tenants.utils import get_tenant_domain_model

from {{ cookiecutter.project_slug }}.tenancy.consumers import TENANT_GONE_CLOSE_CODE

from .conftest import (
    DOMAIN,
    communicator,
    create_tenant,
    is_refused,
    open_socket,
    recorded_sql,
    touches_tenant_tables,
    unique_schema_name,
)


def handshake(host: str, origin: str | None = None) -> list[tuple[bytes, bytes]]:
    headers = [(b"host", host.encode())]
    return headers if origin is None else [*headers, (b"origin", origin.encode())]


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        (handshake(f"nobody.{DOMAIN}"), "unknown tenant"),
        (handshake(DOMAIN), "the public schema is not a tenant"),
        (handshake("evil.test"), "host outside ALLOWED_HOSTS"),
        (handshake(f"a.{DOMAIN}:not-a-port"), "malformed host"),
        ([], "no Host header"),
        (handshake(f"a.{DOMAIN}", f"https://b.{DOMAIN}"), "another tenant's page"),
        (handshake(f"a.{DOMAIN}", "https://evil.test"), "a foreign page"),
        (handshake(f"a.{DOMAIN}", "null"), "an opaque origin"),
        (handshake(f"a.{DOMAIN}", f"http://a.{DOMAIN}:1"), "the same host, another port"),
        (
            [*handshake(f"a.{DOMAIN}", f"https://a.{DOMAIN}"), (b"origin", b"https://evil.test")],
            "two origins",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
async def test_refused_handshakes_query_no_tenant_table(public_tenant, tenant_a, headers, why):
    with recorded_sql() as statements:
        assert await is_refused(headers), why
    assert not touches_tenant_tables(statements)


async def test_the_tenant_page_and_non_browser_clients_are_let_in(tenant_a, settings):
    settings.ITEMS_ALLOW_ANONYMOUS = True
    for headers in (
        handshake(f"a.{DOMAIN}", f"https://a.{DOMAIN}"),
        handshake(f"a.{DOMAIN}:8000", f"http://a.{DOMAIN}:8000"),
        handshake(f"a.{DOMAIN}.", f"https://a.{DOMAIN}."),
        handshake(f"a.{DOMAIN}:8000"),
    ):
        socket = communicator(headers)
        assert (await socket.connect())[0]
        await socket.disconnect()


def rename_domain(tenant) -> tuple[str, str]:
    domain = get_tenant_domain_model().objects.get(tenant=tenant)
    old_host, domain.domain = domain.domain, f"new-{domain.domain}"
    domain.save()
    return old_host, domain.domain


async def test_renamed_domains_and_deleted_tenants_take_effect_at_once(settings):
    settings.ITEMS_ALLOW_ANONYMOUS = True
    tenant = await database_sync_to_async(create_tenant)(unique_schema_name("renamed"))
    await (await open_socket(tenant)).disconnect()  # caches the old hostname
    old_host, new_host = await database_sync_to_async(rename_domain)(tenant)
    assert await is_refused(handshake(old_host))
    assert not await is_refused(handshake(new_host))
    await database_sync_to_async(tenant.delete)()
    assert await is_refused(handshake(new_host))


def remove_domain(tenant) -> None:
    get_tenant_domain_model().objects.filter(tenant=tenant).delete()


async def test_a_removed_domain_closes_its_sockets_on_their_next_frame(settings):
    settings.ITEMS_ALLOW_ANONYMOUS = True
    tenant = await database_sync_to_async(create_tenant)(unique_schema_name("moved"))
    socket = await open_socket(tenant)
    await database_sync_to_async(remove_domain)(tenant)
    await socket.send_json_to({"type": "item.create", "text": "nobody home"})
    closing = await socket.receive_output()
    assert closing == {"type": "websocket.close", "code": TENANT_GONE_CLOSE_CODE}
    await database_sync_to_async(tenant.delete)()


def test_http_requests_resolve_the_same_way(public_tenant, tenant_a, settings):
    settings.ITEMS_ALLOW_ANONYMOUS = True
    client = HttpClient()
    assert client.get("/api/items/", HTTP_HOST=f"a.{DOMAIN}").status_code == 200
    assert client.get("/api/items/", HTTP_HOST=f"nobody.{DOMAIN}").status_code == 404
    # django-tenants answers a host outside ALLOWED_HOSTS with 404, not Django's 400.
    assert client.get("/api/items/", HTTP_HOST="evil.test").status_code == 404
    # The bare domain is the public site, which has no tenant URLs.
    assert client.get("/api/items/", HTTP_HOST=DOMAIN).status_code == 404
    assert client.get("/admin/login/", HTTP_HOST=DOMAIN).status_code == 200
