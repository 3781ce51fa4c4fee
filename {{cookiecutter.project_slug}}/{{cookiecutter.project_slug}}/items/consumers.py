"""The demo WebSocket: a tenant's items, live (protocol in the project README)."""

from django.conf import settings

from ..tenancy.consumers import TenantJsonWebsocketConsumer
from .models import Item

MAX_TEXT_LENGTH = 500
LATEST_ITEMS = 50


class ItemsConsumer(TenantJsonWebsocketConsumer):
    tenant_groups = ("items",)

    async def connect(self):
        if not (self.scope["user"].is_authenticated or settings.ITEMS_ALLOW_ANONYMOUS):
            await self.close()
            return
        await self.accept()
        latest = [item.as_frame() async for item in Item.objects.all()[:LATEST_ITEMS]]
        await self.send_json({"type": "items", "items": latest})

    async def receive_json(self, content, **kwargs):
        handlers = {"item.create": self.create_item}
        handler = handlers.get(content.get("type"))
        if handler is None:
            await self.reject_frame(f"unknown frame type {content.get('type')!r}")
            return
        await handler(content)

    async def create_item(self, content: dict) -> None:
        text = content.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT_LENGTH:
            await self.reject_frame(f"text must be a string of 1-{MAX_TEXT_LENGTH} characters")
            return
        item = await Item.objects.acreate(text=text)
        await self.broadcast("items", {"type": "item.created", "item": item.as_frame()})

    async def item_created(self, event: dict) -> None:
        await self.send_json(event)
