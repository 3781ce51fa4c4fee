"""The ASGI application: HTTP through Django, WebSockets through the tenancy layer.

WebSocket order matters: the origin check, then the tenant (so everything below runs in the
tenant's schema), then Channels' session and user lookup, then the routes.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from {{ cookiecutter.project_slug }}.items.routing import websocket_urlpatterns  # noqa: E402
from {{ cookiecutter.project_slug }}.tenancy.middleware import TenantWebsocketMiddleware  # noqa: E402
from {{ cookiecutter.project_slug }}.tenancy.origin import OriginValidatorMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginValidatorMiddleware(
            TenantWebsocketMiddleware(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
