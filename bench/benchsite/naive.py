"""(c) The naive recipe: what a hand-rolled django-tenants + Channels setup usually does.

On django-tenants' stock backend: the handshake's Host is looked up in the domain table on
every handshake (no cache), and each message calls `connection.set_tenant()` inside the
`database_sync_to_async` function that does its DB work. (It is also the recipe that leaks
under load; the bench only measures its cost.)
"""

from .asgi import channels_app, host_header  # first: it sets Django up

# isort: split
from acme_saas.items.consumers import LATEST_ITEMS
from acme_saas.items.models import Item
from acme_saas.tenants.models import Domain
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.security.websocket import WebsocketDenier
from django.db import connection
from django.http.request import split_domain_port

from .floor import allowed


def domain_of(hostname: str):
    return Domain.objects.select_related("tenant").filter(domain=hostname).first()


class NaiveTenantMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        hostname = split_domain_port(host_header(scope))[0]
        domain = await database_sync_to_async(domain_of)(hostname)
        if domain is None:
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(dict(scope, tenant=domain.tenant), receive, send)


class NaiveItemsConsumer(AsyncJsonWebsocketConsumer):
    async def websocket_connect(self, message):
        self.groups = [f"items.{self.scope['tenant'].schema_name}"]
        await super().websocket_connect(message)

    async def connect(self):
        if not allowed(self.scope):
            await self.close()
            return
        await self.accept()
        latest = await database_sync_to_async(self.latest_items)()
        await self.send_json({"type": "items", "items": latest})

    def latest_items(self) -> list[dict]:
        connection.set_tenant(self.scope["tenant"])
        return [item.as_frame() for item in Item.objects.all()[:LATEST_ITEMS]]

    async def receive_json(self, content, **kwargs):
        if content.get("type") != "item.create":
            await self.send_json({"type": "error", "error": "unknown frame type"})
            return
        item = await database_sync_to_async(self.create_item)(content["text"])
        await self.channel_layer.group_send(self.groups[0], {"type": "item.created", "item": item})

    def create_item(self, text: str) -> dict:
        connection.set_tenant(self.scope["tenant"])
        return Item.objects.create(text=text).as_frame()

    async def item_created(self, event):
        await self.send_json(event)


application = channels_app(NaiveItemsConsumer, around=NaiveTenantMiddleware)
