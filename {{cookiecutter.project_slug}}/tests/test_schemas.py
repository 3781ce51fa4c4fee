"""Migrations build the shared tables in public and the tenant tables in each tenant schema."""

from django.db import connection


def tables_in(schema_name: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema_name],
        )
        return {row[0] for row in cursor.fetchall()}


def test_public_schema_holds_the_shared_tables_only():
    tables = tables_in("public")
    assert {"tenants_client", "tenants_domain"} <= tables
    assert "items_item" not in tables


def test_each_tenant_schema_holds_the_tenant_tables(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        tables = tables_in(tenant.schema_name)
        assert {"items_item", "auth_user", "django_session"} <= tables
        assert "tenants_client" not in tables
