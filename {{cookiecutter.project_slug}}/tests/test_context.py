"""The database context: every query runs in the schema of the task that made it.

These are the leaks of the naive setup (django-tenants' per-thread connection state under
ASGI), each checked against the real PostgreSQL.
"""

import asyncio
import contextvars
import random
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import schema_context, tenant_context

from {{ cookiecutter.project_slug }}.tenancy.context import active_tenant, get_current_tenant
from {{ cookiecutter.project_slug }}.tenancy.exceptions import NoTenantActive, TenantSchemaMissing

from .conftest import create_tenant, recorded_sql, unique_schema_name


def current_schema() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def schema_and_thread() -> tuple[str, int]:
    return current_schema(), threading.get_ident()


async def test_tenant_context_entered_in_async_code_reaches_the_query_thread(tenant_a):
    with tenant_context(tenant_a):
        assert await database_sync_to_async(current_schema)() == "a"
        assert await sync_to_async(current_schema)() == "a"


async def test_tenants_sharing_the_query_thread_never_see_each_other(tenant_a, tenant_b):
    async def query_as(tenant, rounds: int) -> set[tuple[str, int]]:
        seen = set()
        with active_tenant(tenant):
            for _ in range(rounds):
                await asyncio.sleep(random.random() / 1000)
                seen.add(await database_sync_to_async(schema_and_thread)())
        return seen

    seen_a, seen_b = await asyncio.gather(query_as(tenant_a, 30), query_as(tenant_b, 30))
    assert {schema for schema, _ in seen_a} == {"a"}
    assert {schema for schema, _ in seen_b} == {"b"}
    # The point: both ran on the one thread that thread-sensitive calls share.
    assert {thread for _, thread in seen_a} == {thread for _, thread in seen_b}


async def test_a_call_with_no_tenant_after_a_tenant_call_runs_in_public(tenant_a):
    with active_tenant(tenant_a):
        assert await database_sync_to_async(current_schema)() == "a"
    assert await database_sync_to_async(current_schema)() == "public"
    assert get_current_tenant() is None


def test_a_query_with_nothing_active_is_refused():
    # A fresh context is what a thread pool without context propagation, or code outside
    # every tenant entry point, runs in.
    with pytest.raises(NoTenantActive, match="No tenant is active"):
        contextvars.Context().run(current_schema)


def test_django_tenants_helpers_nest_and_restore(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        with schema_context("b"):
            assert current_schema() == "b"
        assert current_schema() == "a"
        assert get_current_tenant() == tenant_a
    assert current_schema() == "public"


def test_a_dropped_tenant_schema_fails_instead_of_reading_public(tenant_a):
    # auth_user exists in public too (auth is a shared and a tenant app): a fallback would
    # silently count public's users.
    tenant = create_tenant(unique_schema_name("dropped"))
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{tenant.schema_name}" CASCADE')
    with tenant_context(tenant), pytest.raises(TenantSchemaMissing, match="does not exist"):
        get_user_model().objects.count()
    assert current_schema() == "public"
    tenant.delete()


def test_a_failed_savepoint_in_a_tenant_leaves_the_outer_transaction_usable(tenant_a):
    user_model = get_user_model()
    with tenant_context(tenant_a):
        user_model.objects.get_or_create(username="taken")
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(), tenant_context(tenant_a):
            user_model.objects.create(username="taken")
        # Rolling the savepoint back needed the public search_path again, mid-transaction.
        assert not user_model.objects.filter(username="nobody").exists()


def test_search_path_is_set_only_when_the_schema_changes(tenant_a, tenant_b):
    connection.close()
    with recorded_sql() as statements:
        for tenant in (tenant_a, tenant_a, tenant_b, tenant_b):
            with tenant_context(tenant):
                current_schema()
        current_schema()
    assert len([sql for sql in statements if "search_path" in sql]) == 3
