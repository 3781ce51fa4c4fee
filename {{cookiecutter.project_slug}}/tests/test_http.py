"""HTTP requests see their own tenant's rows only; an unknown tenant gets 404."""

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import tenant_context

from {{ cookiecutter.project_slug }}.items.models import Item

from .conftest import (
{%- if cookiecutter.tenant_resolution == "header" %}
    APP_HOST,
{%- else %}
    DOMAIN,
{%- endif %}
    PASSWORD,
    http_kwargs,
    recorded_sql,
    touches_tenant_tables,
)


def texts(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["text"] for item in response.json()["items"]]


def test_each_tenant_sees_only_its_own_rows(tenant_a, tenant_b, settings):
    settings.ITEMS_ALLOW_ANONYMOUS = True
    with tenant_context(tenant_a):
        Item.objects.create(text="a's item")
    with tenant_context(tenant_b):
        Item.objects.create(text="b's item")
    client = HttpClient()
    assert texts(client.get("/api/items/", **http_kwargs("a"))) == ["a's item"]
    assert texts(client.get("/api/items/", **http_kwargs("b"))) == ["b's item"]


def test_unknown_tenant_gets_404_without_touching_tenant_tables(tenant_a):
    with recorded_sql() as statements:
        response = HttpClient().get("/api/items/", **http_kwargs("nobody"))
    assert response.status_code == 404
    assert not touches_tenant_tables(statements)


def test_anonymous_users_are_refused_unless_configured(tenant_a):
    response = HttpClient().get("/api/items/", **http_kwargs("a"))
    assert response.status_code == 403


@pytest.mark.urls("tests.streaming_urls")
def test_a_streamed_response_is_generated_in_the_tenant(tenant_a):
    with tenant_context(tenant_a):
        Item.objects.create(text="streamed")
    response = HttpClient().get("/api/items/stream/", **http_kwargs("a"))
    assert b"".join(response.streaming_content) == b"streamed\n"


def test_the_home_page_sends_strangers_to_sign_in_first(tenant_a):
    response = HttpClient().get("/", **http_kwargs("a"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_home_page_is_the_tenant_live_page(tenant_a, cookie_a):
    client = HttpClient()
    client.cookies["sessionid"] = cookie_a
    page = client.get("/", **http_kwargs("a"))
    assert page.status_code == 200
    assert b"<h1>A</h1>" in page.content and b"/ws/items/" in page.content


def test_signing_in_works_per_tenant(tenant_a, tenant_b, cookie_a):
    for schema_name, status in (("a", 302), ("b", 200)):  # alice exists in a only
        response = HttpClient().post(
            "/login/", {"username": "alice", "password": PASSWORD}, **http_kwargs(schema_name)
        )
        assert response.status_code == status


def test_a_request_leaves_the_thread_in_the_public_schema(tenant_a):
    from django.db import connection

    HttpClient().get("/api/items/", **http_kwargs("a"))
    assert connection.schema_name == "public"


def test_the_public_site_links_to_each_tenant_page(public_tenant, tenant_a, tenant_b):
{%- if cookiecutter.tenant_resolution == "subdomain" %}
    page = HttpClient().get("/", HTTP_HOST=DOMAIN)
    assert page.status_code == 200
    assert f'href="//a.{DOMAIN}/"'.encode() in page.content
{%- else %}
    page = HttpClient().get("/", HTTP_HOST=APP_HOST)
    assert page.status_code == 200
    assert b'href="/?tenant=a"' in page.content and b'href="/?tenant=b"' in page.content
{%- endif %}
