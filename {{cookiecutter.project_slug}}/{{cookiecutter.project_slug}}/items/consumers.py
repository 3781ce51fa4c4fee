"""The demo WebSocket: a tenant's items, live (protocol in the project README)."""

{% if cookiecutter.celery_broker != "none" -%}
from asgiref.sync import sync_to_async
{% endif -%}
from django.conf import settings
{% if cookiecutter.celery_broker != "none" -%}
from kombu.exceptions import OperationalError
{% endif %}
from ..tenancy.consumers import TenantJsonWebsocketConsumer
from .models import Item
{% if cookiecutter.celery_broker != "none" -%}
from .tasks import count_items
{% endif %}
MAX_TEXT_LENGTH = 500
LATEST_ITEMS = 50
MAX_JOB_SECONDS = 5


def is_storable_text(text) -> bool:
    """A string PostgreSQL can store as an item: 1-500 characters, valid UTF-8, no NUL."""
    if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT_LENGTH or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
        handlers = {"item.create": self.create_item, "job.start": self.start_job}
        frame_type = content.get("type")
        handler = handlers.get(frame_type) if isinstance(frame_type, str) else None
        if handler is None:
            await self.reject_frame(f"unknown frame type {frame_type!r}")
            return
        await handler(content)

    async def create_item(self, content: dict) -> None:
        text = content.get("text")
        if not is_storable_text(text):
            await self.reject_frame(
                f"text must be a string of 1-{MAX_TEXT_LENGTH} characters, "
                "without NUL or unpaired surrogates"
            )
            return
        item = await Item.objects.acreate(text=text)
        await self.broadcast("items", {"type": "item.created", "item": item.as_frame()})

{%- if cookiecutter.celery_broker != "none" %}

    async def start_job(self, content: dict) -> None:
        seconds = content.get("seconds")
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not 0 <= seconds <= MAX_JOB_SECONDS
        ):
            await self.reject_frame(f"seconds must be a number from 0 to {MAX_JOB_SECONDS}")
            return
        try:
            # Publishing blocks on the network: off the event loop, in the tenant's context.
            job = await sync_to_async(count_items.delay, thread_sensitive=False)(seconds)
        except OperationalError as error:
            await self.reject_frame(f"background jobs are unavailable: {error}")
            return
        await self.send_json({"type": "job.queued", "job_id": job.id})
{%- else %}

    async def start_job(self, content: dict) -> None:
        await self.reject_frame("background jobs are disabled: this project has no Celery")
{%- endif %}

    async def item_created(self, event: dict) -> None:
        await self.send_json(event)
{%- if cookiecutter.celery_broker != "none" %}

    async def job_done(self, event: dict) -> None:
        await self.send_json(event)
{%- endif %}
