"""WebSocket consumer bases for connections that belong to a tenant.

Route them behind `TenantWebsocketMiddleware` (see `config/asgi.py`): it resolves the tenant
and keeps it active, so every query a consumer makes runs in the tenant's schema.
"""

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer

from . import groups
from .cache import without_blocking
from .exceptions import TenantMiddlewareMissing, TenantNotFound
from .resolution import tenant_for_websocket

# Close code for a socket whose tenant went away (deleted, or no longer served there).
TENANT_GONE_CLOSE_CODE = 4404


class TenantConsumerMixin:
    """Tenant plumbing for a Channels consumer.

    - `self.tenant`: the connection's tenant.
    - `tenant_groups`: names of the tenant's groups to join on connect (left on disconnect);
      `join(group)` and `leave(group)` for the ones a socket picks later.
    - `broadcast(group, message)`: send to one of the tenant's groups, never another tenant's.
    - Each frame the client sends first resolves the handshake again, from this process'
      memory (no I/O while the tenant is cached): if its tenant was deleted or no longer
      serves that handshake (a removed domain), the frame is not handled and the socket is
      closed with code 4404.
    """

    tenant_groups: tuple[str, ...] = ()

    @property
    def tenant(self) -> Any:
        return self.scope["tenant"]

    async def websocket_connect(self, message):
        if "tenant" not in self.scope:
            raise TenantMiddlewareMissing(
                f"{type(self).__name__} needs scope['tenant']: wrap its route in "
                "TenantWebsocketMiddleware (see config/asgi.py)"
            )
        self.groups = [groups.tenant_group(self.tenant, group) for group in self.tenant_groups]
        await super().websocket_connect(message)

    async def websocket_receive(self, message):
        if not await self.tenant_still_resolves():
            await self.close(code=TENANT_GONE_CLOSE_CODE)
            return
        await super().websocket_receive(message)

    async def tenant_still_resolves(self) -> bool:
        try:
            current = await without_blocking(tenant_for_websocket, self.scope)
        except TenantNotFound:
            return False
        return current.pk == self.tenant.pk

    async def join(self, group: str) -> None:
        """Join the tenant's group `group` (left on disconnect, or by `leave()`)."""
        name = groups.tenant_group(self.tenant, group)
        await self.channel_layer.group_add(name, self.channel_name)
        if name not in self.groups:
            self.groups.append(name)

    async def leave(self, group: str) -> None:
        name = groups.tenant_group(self.tenant, group)
        await self.channel_layer.group_discard(name, self.channel_name)
        if name in self.groups:
            self.groups.remove(name)

    async def broadcast(self, group: str, message: dict) -> None:
        await groups.broadcast(self.tenant, group, message)


class TenantWebsocketConsumer(TenantConsumerMixin, AsyncWebsocketConsumer):
    """An `AsyncWebsocketConsumer` that belongs to the connection's tenant."""


class TenantJsonWebsocketConsumer(TenantConsumerMixin, AsyncJsonWebsocketConsumer):
    """An `AsyncJsonWebsocketConsumer` that belongs to the connection's tenant.

    A frame that is not a JSON object gets an error frame back and the socket stays open.
    """

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.reject_frame("expected a text frame holding a JSON object")
            return
        try:
            content = await self.decode_json(text_data)
        except (ValueError, RecursionError) as error:
            await self.reject_frame(f"malformed JSON: {error}")
            return
        if not isinstance(content, dict):
            await self.reject_frame("expected a JSON object")
            return
        await self.receive_json(content, **kwargs)

    async def reject_frame(self, reason: str) -> None:
        """Tell the sender its frame was refused, and why; the socket stays open."""
        await self.send_json({"type": "error", "error": reason})
