"""Tenant-scoped channel-layer groups: a tenant's sockets can only hear their own tenant.

A group name is built from the tenant's schema name and a digest of it, so it is a valid
channel-layer name (`[A-Za-z0-9._-]`, under 100 characters) and two tenants never share one,
even when their names differ only in punctuation or length. `broadcast()` is the only way
this layer sends to a group, and it takes the tenant, never a raw group name.
"""

import hashlib
import re
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .context import get_current_tenant
from .exceptions import TenantRequired

GROUP_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def tenant_group(tenant: Any, group: str) -> str:
    """The channel-layer name of `tenant`'s group `group` (letters, digits, '_' or '-')."""
    if not GROUP_PATTERN.match(group):
        raise ValueError(f"group name {group!r} must be 1-40 letters, digits, '_' or '-'")
    schema_name = tenant.schema_name
    readable = re.sub(r"[^A-Za-z0-9-]", "-", schema_name)[:24]
    digest = hashlib.blake2b(schema_name.encode(), digest_size=8).hexdigest()
    return f"tenant.{readable}.{digest}.{group}"


async def broadcast(tenant: Any, group: str, message: dict) -> None:
    """Send `message` (with a `type`) to every socket in `tenant`'s group `group`."""
    await get_channel_layer().group_send(tenant_group(tenant, group), message)


def broadcast_sync(tenant: Any, group: str, message: dict) -> None:
    """`broadcast()` for sync code: views, management commands{% if cookiecutter.celery_broker != "none" %}, Celery tasks{% endif %}."""
    async_to_sync(broadcast)(tenant, group, message)


def broadcast_to_current_tenant(group: str, message: dict) -> None:
    """`broadcast_sync()` to the active tenant{% if cookiecutter.celery_broker != "none" %} (a task's own); it cannot address another."""
{%- else %}; it cannot address another."""
{%- endif %}
    tenant = get_current_tenant()
    if tenant is None:
        raise TenantRequired(f"no tenant is active to broadcast to its {group!r} group")
    broadcast_sync(tenant, group, message)
