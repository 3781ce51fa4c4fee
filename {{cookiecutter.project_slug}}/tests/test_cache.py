{%- set uses_redis = cookiecutter.channel_layer == "redis" or cookiecutter.celery_broker == "redis" -%}
"""The tenant cache: warm lookups need no I/O, and no change is missed{% if uses_redis %}, in any process{% endif %}."""

import os

import pytest
{%- if uses_redis %}
import redis
from django.conf import settings
{%- endif %}
from django_tenants.utils import get_tenant_model

from {{ cookiecutter.project_slug }}.tenancy import cache
from {{ cookiecutter.project_slug }}.tenancy.cache import NotInMemory, memory_only
from {{ cookiecutter.project_slug }}.tenancy.resolution import tenant_for_schema

from .conftest import create_tenant, {% if uses_redis %}in_another_process, {% endif %}recorded_sql, unique_schema_name


def from_memory(schema_name: str):
    """The lookup of `schema_name` as this process' memory alone answers it."""
    with memory_only():
        return tenant_for_schema(schema_name)


def test_a_warm_lookup_is_answered_from_memory(tenant_a):
    tenant_for_schema("a")
    with recorded_sql() as statements:
        assert from_memory("a") == tenant_a
    assert statements == []


def test_memory_only_refuses_what_it_would_have_to_load():
    with pytest.raises(NotInMemory):
        from_memory(unique_schema_name("never-looked-up"))


def test_unknown_names_are_remembered_too():
    name = unique_schema_name("nobody")
    assert tenant_for_schema(name) is None
    assert from_memory(name) is None


def test_unknown_names_cannot_fill_the_memory(monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES_IN_MEMORY", 5)
    for _ in range(20):
        tenant_for_schema(unique_schema_name("probe"))
    assert len(cache.memory.entries) <= 5


def test_a_lookup_overtaken_by_an_invalidation_is_not_kept(tenant_a):
    name = unique_schema_name("race")

    def load_while_the_row_changes(value):
        cache.forget_schema(value)  # saved elsewhere after this lookup read the old row
        return tenant_a

    assert cache.cached_lookup("schema", name, load_while_the_row_changes) == tenant_a
    with pytest.raises(NotInMemory), memory_only():
        cache.cached_lookup("schema", name, load_while_the_row_changes)
    # Nor was it shared{% if uses_redis %} in Redis{% endif %}: the next lookup loads again.
    cache.memory.forget(None)
    assert cache.cached_lookup("schema", name, lambda value: None) is None


def test_forget_all_drops_what_changed_without_signals():
    tenant = create_tenant(unique_schema_name("bulk"))
    assert tenant_for_schema(tenant.schema_name).name == tenant.name
    get_tenant_model().objects.filter(pk=tenant.pk).update(name="Renamed")  # sends no signal
    assert tenant_for_schema(tenant.schema_name).name == tenant.name
    cache.forget_all()
    assert tenant_for_schema(tenant.schema_name).name == "Renamed"
    tenant.delete()


def test_a_forked_worker_process_starts_with_nothing_in_memory(tenant_a):
    # {% if cookiecutter.celery_broker != "none" %}Celery's prefork pool and {% endif %}servers that preload the app fork their workers: none may
    # use its parent's entries{% if uses_redis %} or socket{% endif %}.
    tenant_for_schema("a")
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:
        fresh = not cache.memory.entries{% if uses_redis %} and cache.memory.subscription is None{% endif %}
        os.write(writable, b"fresh" if fresh else b"inherited")
        os._exit(0)
    os.close(writable)
    os.waitpid(pid, 0)
    assert os.read(readable, 16) == b"fresh"
    assert from_memory("a") == tenant_a  # the parent's memory is untouched
{%- if uses_redis %}


def delete_in_another_process(tenant) -> None:
    in_another_process(
        "from django_tenants.utils import get_tenant_model; "
        f"get_tenant_model().objects.get(schema_name={tenant.schema_name!r}).delete()"
    )


def test_a_tenant_deleted_by_another_process_is_gone_here_at_once():
    tenant = create_tenant(unique_schema_name("elsewhere"))
    assert tenant_for_schema(tenant.schema_name) == tenant
    assert from_memory(tenant.schema_name) == tenant
    delete_in_another_process(tenant)
    with pytest.raises(NotInMemory):
        from_memory(tenant.schema_name)
    assert tenant_for_schema(tenant.schema_name) is None


def drop_this_process_subscription() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    name = f"tenancy-invalidations-{os.getpid()}"
    ids = [entry["id"] for entry in client.client_list() if entry["name"] == name]
    assert ids, f"no Redis client is named {name}"
    for client_id in ids:
        client.client_kill_filter(_id=client_id)


def test_a_process_that_lost_its_subscription_misses_no_change():
    tenant = create_tenant(unique_schema_name("unheard"))
    assert tenant_for_schema(tenant.schema_name) == tenant
    assert from_memory(tenant.schema_name) == tenant
    drop_this_process_subscription()
    delete_in_another_process(tenant)  # published while this process hears nothing
    with pytest.raises(NotInMemory):
        from_memory(tenant.schema_name)
    assert tenant_for_schema(tenant.schema_name) is None  # subscribed again, and loaded
    assert from_memory(tenant.schema_name) is None
{%- endif %}
