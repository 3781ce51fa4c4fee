"""Celery task bases: the tenant travels with every message, and a task without one fails.

`TenantTask` captures the active tenant when the task is *sent* (from a request, a tenant
consumer, `tenant_context()`, or a running tenant task: retries, chains and subtasks) and
carries its schema name in the `tenant_schema` message header. The worker activates that
tenant before the task starts and restores the previous state after it ends (chain and
callback dispatch included), so the next task on the process starts clean.

Failing closed:
- sending a tenant task with no tenant active raises `TenantRequired`, before anything
  reaches the broker;
- a message whose tenant no longer exists fails with `TenantNotFound`, logged by the worker,
  before the task body runs: nothing is written anywhere.

`PublicTask` is for work that is explicitly not a tenant's: it always runs in the public
schema. `for_each_tenant` runs a tenant task once per tenant (e.g. from beat).
"""

from celery import Task, current_app, shared_task
from celery.signals import task_postrun
from django.db import transaction
from django_tenants.utils import get_public_schema_name, get_tenant_model, tenant_context

from . import context
from .exceptions import TenantNotFound, TenantRequired
from .resolution import tenant_for_schema

TENANT_HEADER = "tenant_schema"


class TenantTask(Task):
    """A task that runs in the schema of the tenant active when it was sent."""

    def apply_async(self, args=None, kwargs=None, **options):
        headers = self._headers_naming_the_tenant(options.pop("headers", None))
        return super().apply_async(args, kwargs, headers=headers, **options)

    def apply_async_on_commit(self, args=None, kwargs=None, **options):
        """Send when the transaction commits, for the tenant active *now*."""
        headers = self._headers_naming_the_tenant(options.pop("headers", None))
        send = self.apply_async
        transaction.on_commit(lambda: send(args, kwargs, headers=headers, **options))

    def _headers_naming_the_tenant(self, headers: dict | None) -> dict:
        # A retry's headers already name its tenant; so do on-commit sends, captured earlier.
        headers = dict(headers or {})
        if TENANT_HEADER not in headers:
            headers[TENANT_HEADER] = self._schema_to_send()
        return headers

    def delay_on_commit(self, *args, **kwargs):
        self.apply_async_on_commit(args, kwargs)

    def _schema_to_send(self) -> str:
        tenant = context.get_current_tenant()
        if tenant is None:
            raise TenantRequired(
                f"{self.name} is a tenant task, sent with no tenant active: send it from a "
                "request, a tenant consumer or tenant_context(tenant), or make it a PublicTask."
            )
        return tenant.schema_name

    def before_start(self, task_id, args, kwargs):
        schema_name = (self.request.headers or {}).get(TENANT_HEADER)
        if not schema_name:
            raise TenantRequired(f"{self.name}[{task_id}]: the message names no tenant")
        tenant = tenant_for_schema(schema_name)
        if tenant is None:
            raise TenantNotFound(
                f"{self.name}[{task_id}]: tenant {schema_name!r} no longer exists; "
                "the task was not run"
            )
        self.request.tenancy_token = context.activate(tenant)


class PublicTask(Task):
    """A task that is no tenant's: it runs in the public schema, whoever sent it."""

    def before_start(self, task_id, args, kwargs):
        self.request.tenancy_token = context.activate(context.public_tenant())


@task_postrun.connect(dispatch_uid="tenancy.tasks.deactivate")
def _deactivate(sender=None, task=None, **kwargs) -> None:
    token = getattr(task.request, "tenancy_token", None)
    if token is not None:
        context.deactivate(token)


@shared_task(base=PublicTask, name="tenancy.for_each_tenant")
def for_each_tenant(task_name: str, args: list | None = None, kwargs: dict | None = None) -> int:
    """Send the tenant task `task_name` once for each tenant; returns how many were sent."""
    task = current_app.tasks[task_name]
    tenants = list(get_tenant_model().objects.exclude(schema_name=get_public_schema_name()))
    for tenant in tenants:
        with tenant_context(tenant):
            task.apply_async(args, kwargs)
    return len(tenants)
