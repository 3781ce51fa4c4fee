from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django_tenants.utils import get_public_schema_name

from .models import Client


@receiver(pre_delete, sender=Client, dispatch_uid="tenants.protect_public_schema")
def protect_public_schema(sender, instance, **kwargs) -> None:
    """Deleting the public tenant would drop the shared schema (django-tenants drops it)."""
    if instance.schema_name == get_public_schema_name():
        raise ValueError("The public tenant cannot be deleted: its schema holds every tenant.")
