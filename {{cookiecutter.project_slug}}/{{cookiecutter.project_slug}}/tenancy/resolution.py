"""Which tenant a request or WebSocket handshake belongs to.

One resolver serves HTTP (`middleware.TenantHttpMiddleware`), WebSockets
(`middleware.TenantWebsocketMiddleware`) and background work (`tenant_for_schema`), with
lookups served from `tenancy.cache`.
{%- if cookiecutter.tenant_resolution == "subdomain" %}

Subdomain mode: the tenant is the one whose `Domain.domain` equals the `Host` header without
its port; the host must match ALLOWED_HOSTS.
{%- else %}

Header mode: the tenant is the one whose `schema_name` is in the `TENANT_HEADER` header
(services) or in the `?tenant=` query parameter (browsers, which cannot set headers on a
WebSocket handshake). When both are sent they must agree, or the handshake is refused: neither
silently wins. The host must match ALLOWED_HOSTS in this mode too. The header only *names* a
tenant: sessions and users live in each tenant's schema, so a client is someone in a tenant
only with a session of that tenant.
{%- endif %}
"""

from typing import Any
{%- if cookiecutter.tenant_resolution == "header" %}
from urllib.parse import parse_qs
{%- endif %}

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django_tenants.postgresql_backend.base import is_valid_schema_name
from django_tenants.utils import get_public_schema_name, {% if cookiecutter.tenant_resolution == "subdomain" %}get_tenant_domain_model, {% endif %}get_tenant_model

from .cache import cached_lookup
from .exceptions import TenantNotFound
{%- if cookiecutter.tenant_resolution == "header" %}

QUERY_PARAMETER = "tenant"
{%- endif %}


def _load_by_schema(schema_name: str) -> Any | None:
    return get_tenant_model().objects.filter(schema_name=schema_name).first()
{%- if cookiecutter.tenant_resolution == "subdomain" %}


def _load_by_hostname(hostname: str) -> Any | None:
    domain_model = get_tenant_domain_model()
    domain = domain_model.objects.select_related("tenant").filter(domain=hostname).first()
    return None if domain is None else domain.tenant


def tenant_for_hostname(hostname: str) -> Any | None:
    """The tenant (public included) served at `hostname`, or None."""
    return cached_lookup("host", hostname, _load_by_hostname)
{%- endif %}


def tenant_for_schema(schema_name: str) -> Any | None:
    """The tenant (public excluded) whose schema is `schema_name`, or None."""
    if schema_name == get_public_schema_name() or not is_valid_schema_name(schema_name):
        return None
    return cached_lookup("schema", schema_name, _load_by_schema)


def hostname_from_host(host: str) -> str:
    """The hostname of a `Host` header, port stripped; refused unless in ALLOWED_HOSTS."""
    hostname, _port = split_domain_port(host)
    if not hostname or not validate_host(hostname, settings.ALLOWED_HOSTS):
        raise TenantNotFound(f"host {host!r} is not in ALLOWED_HOSTS")
    return hostname


def header_values(scope: dict, name: str) -> list[str]:
    """Every value of the handshake header `name` (ASGI names are lowercase bytes)."""
    encoded = name.lower().encode("latin-1")
    return [value.decode("latin-1") for key, value in scope.get("headers", ()) if key == encoded]


def _single(values: list[str], source: str) -> str | None:
    """The one value of `source`, or None; several are refused rather than one picked."""
    if len(values) > 1:
        raise TenantNotFound(f"more than one {source}")
    return values[0] if values else None


def _scope_header(scope: dict, name: str) -> str | None:
    return _single(header_values(scope, name), f"{name} header")
{%- if cookiecutter.tenant_resolution == "subdomain" %}


def tenant_for_websocket(scope: dict) -> Any:
    """The tenant of a WebSocket handshake; raises TenantNotFound saying why there is none."""
    hostname = hostname_from_host(_scope_header(scope, "Host") or "")
    tenant = tenant_for_hostname(hostname)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        raise TenantNotFound(f"no tenant is served at {hostname!r}")
    return tenant
{%- else %}


def schema_name_from(header: str | None, query_values: list[str]) -> str | None:
    """The schema named by the header and/or query parameter; they must agree."""
    query = _single(query_values, f"?{QUERY_PARAMETER}= query parameter")
    if header is not None and query is not None and header != query:
        raise TenantNotFound(
            f"the {settings.TENANT_HEADER} header and ?{QUERY_PARAMETER}= name different tenants"
        )
    return header if header is not None else query


def tenant_named(schema_name: str | None) -> Any:
    """The tenant whose schema is `schema_name`; raises TenantNotFound saying why there is none."""
    if not schema_name:
        raise TenantNotFound(
            f"no tenant named: send the {settings.TENANT_HEADER} header or ?{QUERY_PARAMETER}="
        )
    tenant = tenant_for_schema(schema_name)
    if tenant is None:
        raise TenantNotFound(f"no tenant has the schema {schema_name!r}")
    return tenant


def tenant_for_websocket(scope: dict) -> Any:
    """The tenant of a WebSocket handshake; raises TenantNotFound saying why there is none."""
    hostname_from_host(_scope_header(scope, "Host") or "")
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    header = _scope_header(scope, settings.TENANT_HEADER)
    return tenant_named(schema_name_from(header, query.get(QUERY_PARAMETER, [])))
{%- endif %}
