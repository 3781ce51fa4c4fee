"""Origin checks for WebSocket handshakes (cross-site WebSocket hijacking).

A browser sends its cookies with a WebSocket handshake whatever page opened it, and always
says which page in `Origin`.
{%- if cookiecutter.tenant_resolution == "subdomain" %} Tenants are subdomains of one site, so a page of tenant b
opening tenant a's socket would carry the user's tenant-a cookie: the origin must be the very
host the socket is opened on.
{%- else %} The origin's host must match ALLOWED_HOSTS.
{%- endif %}

A handshake without `Origin` does not come from a browser, has no ambient cookies to abuse,
and is let through; such clients authenticate with their own credentials.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
{%- if cookiecutter.tenant_resolution == "header" %}
from django.conf import settings
from django.http.request import validate_host
{%- else %}
from django.http.request import split_domain_port
{%- endif %}


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def origin_allowed(scope: dict) -> bool:
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    origin_host = urlsplit(origin).hostname
{%- if cookiecutter.tenant_resolution == "subdomain" %}
    host = split_domain_port(_header(scope, b"host") or "")[0]
    return bool(origin_host) and origin_host == host
{%- else %}
    return bool(origin_host) and validate_host(origin_host, settings.ALLOWED_HOSTS)
{%- endif %}


class OriginValidatorMiddleware:
    """Refuse (HTTP 403) a browser handshake whose page is not allowed to open this socket."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)
