"""Pooled connections: a connection handed back never carries one tenant's schema onward."""

import itertools

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from .conftest import recorded_sql

pytestmark = pytest.mark.skipif(
    "pool" not in settings.DATABASES["default"].get("OPTIONS", {}),
    reason="connection pooling is off (DATABASE_POOL=false)",
)


def checkout_and_ask(schema_name: str) -> tuple[int, str]:
    """Hand the connection back to the pool, take one out, and ask it who and where it is."""
    connection.close()
    with schema_context(schema_name), connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), current_schema()")
        return cursor.fetchone()


def test_one_physical_connection_serves_each_schema_in_turn(tenant_a, tenant_b):
    schemas_by_backend: dict[int, set[str]] = {}
    for schema_name in itertools.islice(itertools.cycle(("a", "b", "public")), 30):
        backend, current = checkout_and_ask(schema_name)
        assert current == schema_name
        schemas_by_backend.setdefault(backend, set()).add(schema_name)
    # The pool did hand the same physical connection to more than one schema.
    assert any(len(schemas) > 1 for schemas in schemas_by_backend.values())


def test_search_path_is_set_once_per_physical_connection_and_schema(tenant_a):
    with recorded_sql() as statements:
        backends = {checkout_and_ask("a")[0] for _ in range(10)}
    sets = [sql for sql in statements if "search_path" in sql]
    assert len(sets) <= len(backends) < 10
