"""The demo's background job, run by a Celery worker in the sender's tenant."""

import time

from celery import shared_task
from django.db import connection

from ..tenancy.groups import broadcast_to_current_tenant
from ..tenancy.tasks import TenantTask
from .models import Item


@shared_task(base=TenantTask, bind=True)
def count_items(self, seconds: float) -> int:
    """Sleep `seconds`, count the tenant's items and tell all its sockets."""
    time.sleep(seconds)
    count = Item.objects.count()
    done = {"type": "job.done", "job_id": self.request.id, "items": count}
    broadcast_to_current_tenant("items", {**done, "schema": connection.schema_name})
    return count
