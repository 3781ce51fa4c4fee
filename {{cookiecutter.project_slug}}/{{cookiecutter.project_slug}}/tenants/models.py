from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Client(TenantMixin):
    """A tenant: its rows live in the PostgreSQL schema named `schema_name`."""

    name = models.CharField(max_length=100)
    created_on = models.DateTimeField(auto_now_add=True)

    # Create and migrate the schema when the tenant is saved, drop it when it is deleted.
    auto_create_schema = True
    auto_drop_schema = True

    def __str__(self) -> str:
        return self.name


class Domain(DomainMixin):
    """A hostname that serves a tenant."""

    def __str__(self) -> str:
        return self.domain
