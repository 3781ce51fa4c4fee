"""Celery tasks of the Celery scenario: a tenant task and a plain task doing the same work.

Both run on the same worker (the baked project's Celery app, tenant backend). The tenant task
reads the demo table in its tenant's schema; the plain task (Celery's own `Task`) reads the
floor's copy of it in `public`, inside `public_schema()` because the project's backend refuses
a query with no schema active. The no-op pair isolates the tenant layer's own cost per task.

`gate` and `mark` bracket a batch: the worker blocks on the gate while the batch is queued
behind it, so it then runs the batch at its own pace, not the publisher's; `mark` records when
the worker reached it. Both talk to Redis directly, in keys the orchestrator reads.
"""

import time

import redis
from acme_saas.items.models import Item
from acme_saas.tenancy.context import public_schema
from acme_saas.tenancy.tasks import TenantTask
from celery import shared_task
from django.conf import settings

from .models import FloorItem

GATE_TIMEOUT = 120


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@shared_task(base=TenantTask, name="bench.tenant_read")
def tenant_read() -> int:
    return Item.objects.count()


@shared_task(name="bench.plain_read")
def plain_read() -> int:
    with public_schema():
        return FloorItem.objects.count()


@shared_task(base=TenantTask, name="bench.tenant_noop")
def tenant_noop() -> None:
    return None


@shared_task(name="bench.plain_noop")
def plain_noop() -> None:
    return None


@shared_task(name="bench.gate")
def gate(key: str) -> None:
    client = _redis()
    deadline = time.monotonic() + GATE_TIMEOUT
    while not client.exists(key) and time.monotonic() < deadline:
        time.sleep(0.05)


@shared_task(name="bench.mark")
def mark(key: str) -> None:
    _redis().set(key, repr(time.time()), ex=600)
