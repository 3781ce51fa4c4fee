"""Middleware that resolve the tenant of an HTTP request or a WebSocket and activate it."""

import logging

from channels.security.websocket import WebsocketDenier
{%- if cookiecutter.tenant_resolution == "header" %}
from django.conf import settings
from django.db import connection
{%- else %}
from django.http.request import split_domain_port
{%- endif %}
from django_tenants.middleware.main import TenantMainMiddleware

from . import resolution
from .cache import without_blocking
from .context import active_tenant
from .exceptions import TenantNotFound

logger = logging.getLogger(__name__)
{%- if cookiecutter.tenant_resolution == "subdomain" %}


class TenantHttpMiddleware(TenantMainMiddleware):
    """django-tenants' middleware, resolving the host through the tenant cache.

    An unknown host gets a 404 having queried only the public domain table.
    """

    @staticmethod
    def hostname_from_request(request) -> str:
        return split_domain_port(request.get_host())[0]

    def get_tenant(self, domain_model, hostname):
        tenant = resolution.tenant_for_hostname(hostname)
        if tenant is None:
            raise domain_model.DoesNotExist(f"no tenant is served at {hostname!r}")
        return tenant
{%- else %}


class TenantHttpMiddleware(TenantMainMiddleware):
    """The tenant named by the TENANT_HEADER header or ?tenant=; neither means the public site.

    A named but unknown tenant gets a 404 having queried only the public tenant table.
    """

    def process_request(self, request):
        connection.set_schema_to_public()
        request.get_host()  # raises DisallowedHost outside ALLOWED_HOSTS
        try:
            schema_name = resolution.schema_name_from(
                request.headers.get(settings.TENANT_HEADER),
                request.GET.getlist(resolution.QUERY_PARAMETER),
            )
            if schema_name is None:
                self.setup_url_routing(request, force_public=True)
                return
            tenant = resolution.tenant_named(schema_name)
        except TenantNotFound as error:
            raise self.TENANT_NOT_FOUND_EXCEPTION(str(error)) from error
        request.tenant = tenant
        connection.set_tenant(tenant)
        self.setup_url_routing(request)
{%- endif %}


class TenantWebsocketMiddleware:
    """Resolve a WebSocket's tenant once, at the handshake; keep it active for its whole life.

    Everything below runs inside the tenant's context: the consumer's `database_sync_to_async`
    calls, Django's async ORM, and Channels' session and user lookups, so put this outside
    `AuthMiddlewareStack`. `scope["tenant"]` holds the tenant.

    A handshake with no tenant is refused before accept (the ASGI server answers HTTP 403),
    having queried nothing but the public tenant and domain tables. A warm handshake is
    resolved on the event loop, from this process' memory: no query, no thread hop.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("TenantWebsocketMiddleware only handles WebSocket connections")
        try:
            tenant = await without_blocking(resolution.tenant_for_websocket, scope)
        except TenantNotFound as refusal:
            logger.info("WebSocket handshake refused: %s", refusal)
            return await WebsocketDenier()(scope, receive, send)
        with active_tenant(tenant):
            return await self.app(dict(scope, tenant=tenant), receive, send)
