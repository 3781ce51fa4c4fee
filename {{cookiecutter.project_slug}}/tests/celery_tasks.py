"""Tasks only the tests send; test settings make workers import them (CELERY_IMPORTS)."""

from celery import shared_task
from django.db import connection

from {{ cookiecutter.project_slug }}.items.models import Item
from {{ cookiecutter.project_slug }}.tenancy.tasks import PublicTask, TenantTask


@shared_task(base=TenantTask)
def create_item(text: str) -> str:
    Item.objects.create(text=text)
    return connection.schema_name


@shared_task(base=TenantTask, bind=True, max_retries=1)
def create_item_after_a_retry(self, text: str) -> str:
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return create_item(text)


@shared_task(base=TenantTask)
def schema_of_tenant_task() -> str:
    return connection.schema_name


@shared_task(base=PublicTask)
def schema_of_public_task() -> str:
    return connection.schema_name
