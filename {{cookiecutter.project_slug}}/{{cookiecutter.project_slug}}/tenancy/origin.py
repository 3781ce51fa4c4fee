"""Origin checks for WebSocket handshakes (cross-site WebSocket hijacking).

A browser sends its cookies with a WebSocket handshake whatever page opened it, and always
says which page in `Origin`.
{%- if cookiecutter.tenant_resolution == "subdomain" %} Tenants are subdomains of one site, so a page of tenant b
opening tenant a's socket would carry the user's tenant-a cookie: the origin must be the very
host (and port) the socket is opened on.
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

from .resolution import header_values
{%- if cookiecutter.tenant_resolution == "subdomain" %}

DEFAULT_PORTS = {"http": "80", "https": "443"}
{%- endif %}


def origin_allowed(scope: dict) -> bool:
    origins = header_values(scope, "Origin")
    if not origins:
        return True
    if len(origins) > 1:
        return False
    origin = urlsplit(origins[0])
    if not origin.hostname:
        return False
{%- if cookiecutter.tenant_resolution == "subdomain" %}
    hosts = header_values(scope, "Host")
    if len(hosts) != 1:
        return False
    host, port = split_domain_port(hosts[0])
    default_port = DEFAULT_PORTS.get(origin.scheme)
    try:
        origin_port = str(origin.port) if origin.port else default_port
    except ValueError:  # a port that is not a number
        return False
    return origin.hostname.rstrip(".") == host and (port or default_port) == origin_port
{%- else %}
    return validate_host(origin.hostname.rstrip("."), settings.ALLOWED_HOSTS)
{%- endif %}


class OriginValidatorMiddleware:
    """Refuse (HTTP 403) a browser handshake whose page is not allowed to open this socket."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)
