"""The Celery scenario's load generator: queue batches of tasks, each behind a gate.

    python -m benchsite.publish '{"queue": "...", "tenants": 10,
                                  "batches": [{"task": "bench.tenant_read", "count": 600,
                                               "key": "..."}, ...]}'

Each batch is queued as: gate(key:open), mark(key:start), the tasks, mark(key:end). Tenant
tasks are sent the way the project sends them, inside `tenant_context()`, round-robin over
the tenants; plain tasks as they are.
"""

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
django.setup()

from acme_saas.tenancy.context import public_schema  # noqa: E402
from acme_saas.tenancy.tasks import TenantTask  # noqa: E402
from acme_saas.tenants.models import Client  # noqa: E402
from celery import current_app  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from . import tasks  # noqa: E402
from .setup import schema_name  # noqa: E402


def publish(job: dict) -> dict:
    with public_schema():
        names = [schema_name(number) for number in range(job["tenants"])]
        tenants = list(Client.objects.filter(schema_name__in=names))
    queue = job["queue"]
    started = time.perf_counter()
    for batch in job["batches"]:
        task, key = current_app.tasks[batch["task"]], batch["key"]
        tasks.gate.apply_async((f"{key}:open",), queue=queue)
        tasks.mark.apply_async((f"{key}:start",), queue=queue)
        for number in range(batch["count"]):
            if isinstance(task, TenantTask):
                with tenant_context(tenants[number % len(tenants)]):
                    task.apply_async(queue=queue)
            else:
                task.apply_async(queue=queue)
        tasks.mark.apply_async((f"{key}:end",), queue=queue)
    return {"seconds": time.perf_counter() - started}


if __name__ == "__main__":
    print(json.dumps(publish(json.loads(sys.argv[1]))))
