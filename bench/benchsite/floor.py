"""(b) The floor: the demo's socket protocol and DB work, with no tenancy at all.

`FloorConsumer` is `ItemsConsumer` without the tenant: the same async ORM calls, on a plain
table in `public`, with a group per host (a plain app would take its "room" from the URL; the
Host header lets the load generator address every variant the same way, and costs no query).
`FloorSyncConsumer` is the same on Channels' sync `JsonWebsocketConsumer`, which runs every
handler, broadcast deliveries included, through `database_sync_to_async`: a second reference,
since that is the consumer the Channels tutorial starts from.
"""

from .asgi import channels_app, host_header  # first: it sets Django up

# isort: split
from acme_saas.items.consumers import LATEST_ITEMS
from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncJsonWebsocketConsumer, JsonWebsocketConsumer
from django.conf import settings
from django.http.request import split_domain_port

from .models import FloorItem


def room_group(scope: dict) -> str:
    """`items.<first label of the host>`: what a plain app derives from the URL, no lookup."""
    hostname = split_domain_port(host_header(scope))[0]
    return "items." + hostname.split(".")[0]


def allowed(scope: dict) -> bool:
    return scope["user"].is_authenticated or settings.ITEMS_ALLOW_ANONYMOUS


class FloorConsumer(AsyncJsonWebsocketConsumer):
    async def websocket_connect(self, message):
        self.groups = [room_group(self.scope)]
        await super().websocket_connect(message)

    async def connect(self):
        if not allowed(self.scope):
            await self.close()
            return
        await self.accept()
        latest = [item.as_frame() async for item in FloorItem.objects.all()[:LATEST_ITEMS]]
        await self.send_json({"type": "items", "items": latest})

    async def receive_json(self, content, **kwargs):
        if content.get("type") != "item.create":
            await self.send_json({"type": "error", "error": "unknown frame type"})
            return
        item = await FloorItem.objects.acreate(text=content["text"])
        event = {"type": "item.created", "item": item.as_frame()}
        await self.channel_layer.group_send(self.groups[0], event)

    async def item_created(self, event):
        await self.send_json(event)


class FloorSyncConsumer(JsonWebsocketConsumer):
    def websocket_connect(self, message):
        self.groups = [room_group(self.scope)]
        super().websocket_connect(message)

    def connect(self):
        if not allowed(self.scope):
            self.close()
            return
        self.accept()
        latest = [item.as_frame() for item in FloorItem.objects.all()[:LATEST_ITEMS]]
        self.send_json({"type": "items", "items": latest})

    def receive_json(self, content, **kwargs):
        if content.get("type") != "item.create":
            self.send_json({"type": "error", "error": "unknown frame type"})
            return
        item = FloorItem.objects.create(text=content["text"])
        event = {"type": "item.created", "item": item.as_frame()}
        async_to_sync(self.channel_layer.group_send)(self.groups[0], event)

    def item_created(self, event):
        self.send_json(event)


application = channels_app(FloorConsumer)
sync_application = channels_app(FloorSyncConsumer)
