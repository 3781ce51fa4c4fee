"""The tenant lookup cache: hostname -> tenant and schema name -> tenant.

A warm handshake or request resolves its tenant with no database query. Entries live in
Django's cache framework{% if cookiecutter.channel_layer == "redis" or cookiecutter.celery_broker == "redis" %}, Redis here, shared by every server and worker process: the signal
handlers below, run by whichever process saves or deletes a tenant or domain, invalidate the
entry for all processes at once.{% else %}, process memory here (with the in-memory channel layer the project is one
process): saves and deletes invalidate the entry at once in the process that made them, and
changes made from another process, a management command say, take effect on expiry.{% endif %}
Bulk `update()` and `delete()` on querysets send no signals: their changes take effect when
the entry expires, after TENANT_CACHE_TIMEOUT seconds.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.functional import SimpleLazyObject
from django_tenants.utils import get_tenant_domain_model, get_tenant_model

from .context import public_schema

# One client per process. django.core.cache.cache is per asyncio context and closed at the end
# of an HTTP request, which a WebSocket never reaches: each socket would keep a Redis
# connection of its own for life.
cache = SimpleLazyObject(lambda: caches.create_connection("default"))

# Stored for lookups that found nothing, so unknown names cost one query per timeout.
_MISSING = "missing"
MISSING_TIMEOUT = 30


def _key(kind: str, value: str) -> str:
    return f"tenancy:{kind}:{value}"


def cached_lookup(kind: str, value: str, load: Callable[[str], Any | None]) -> Any | None:
    """The cached result of `load(value)`, a tenant or None; `load` runs in public."""
    key = _key(kind, value)
    tenant = cache.get(key)
    if tenant is None:
        with public_schema():
            tenant = load(value)
        if tenant is None:
            # Briefly: every unknown name someone tries costs a cache entry.
            cache.set(key, _MISSING, min(settings.TENANT_CACHE_TIMEOUT, MISSING_TIMEOUT))
        else:
            cache.set(key, tenant, settings.TENANT_CACHE_TIMEOUT)
    return None if isinstance(tenant, str) else tenant


def _forget(keys: list[str]) -> None:
    # Now, and again on commit: a lookup between the two would re-cache the old rows.
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def forget_hostnames(*hostnames: str) -> None:
    _forget([_key("host", hostname) for hostname in hostnames if hostname])


def forget_schema(schema_name: str) -> None:
    _forget([_key("schema", schema_name)])


def _tenant_changed(sender, instance, **kwargs) -> None:
    forget_schema(instance.schema_name)
    if kwargs.get("signal") is post_save:
        with public_schema():
            forget_hostnames(*instance.domains.values_list("domain", flat=True))


def _domain_will_change(sender, instance, **kwargs) -> None:
    # A renamed domain must also drop the entry of its old hostname.
    if instance.pk is not None:
        with public_schema():
            previous = sender.objects.filter(pk=instance.pk).values_list("domain", flat=True)
            instance._tenancy_previous_domain = previous.first()


def _domain_changed(sender, instance, **kwargs) -> None:
    forget_hostnames(instance.domain, getattr(instance, "_tenancy_previous_domain", None))


def connect_invalidation() -> None:
    """Invalidate cached lookups whenever a tenant or domain is saved or deleted."""
    tenant_model, domain_model = get_tenant_model(), get_tenant_domain_model()
    uid = "tenancy.cache"
    post_save.connect(_tenant_changed, sender=tenant_model, dispatch_uid=f"{uid}.tenant.save")
    post_delete.connect(_tenant_changed, sender=tenant_model, dispatch_uid=f"{uid}.tenant.delete")
    pre_save.connect(_domain_will_change, sender=domain_model, dispatch_uid=f"{uid}.domain.pre")
    post_save.connect(_domain_changed, sender=domain_model, dispatch_uid=f"{uid}.domain.save")
    post_delete.connect(_domain_changed, sender=domain_model, dispatch_uid=f"{uid}.domain.delete")
