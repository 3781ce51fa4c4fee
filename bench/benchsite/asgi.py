"""The plain Channels stack the floor and the naive recipe are served with.

It is what the Channels docs build: Django for HTTP; for WebSockets Channels' own origin check
(`AllowedHostsOriginValidator`), session and user lookup, and URL routing. The tenant stack has
the same pieces (its own origin check, `AuthMiddlewareStack`, `URLRouter`), so the difference
between the variants is the tenancy and nothing else.
"""

from django.core.asgi import get_asgi_application

django_http = get_asgi_application()  # sets Django up before any model is imported

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from .counting import counted  # noqa: E402


def channels_app(consumer, around=lambda app: app):
    """The ASGI application serving `consumer` at /ws/items/, `around` wrapping auth."""
    routes = URLRouter([path("ws/items/", consumer.as_asgi())])
    websocket = AllowedHostsOriginValidator(around(AuthMiddlewareStack(routes)))
    return counted(ProtocolTypeRouter({"http": django_http, "websocket": websocket}))


def host_header(scope: dict) -> str:
    for key, value in scope.get("headers", ()):
        if key == b"host":
            return value.decode("latin-1")
    return ""
