from django.apps import AppConfig
from django.core.signals import request_finished
from django.db import connection


def leave_the_tenant(**kwargs) -> None:
    """After a response is sent, streamed bodies included, go back to the public schema.

    Under ASGI each request has a context of its own; under WSGI the thread carries on.
    """
    connection.set_schema_to_public()


class TenancyConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from . import cache

        cache.connect_invalidation()
        request_finished.connect(leave_the_tenant, dispatch_uid="tenancy.leave_the_tenant")
