"""`manage.py add_tenant`: a tenant, its schema and its domain in one step; bad input refused."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_tenants.utils import (
    get_tenant_domain_model,
    get_tenant_model,
    schema_exists,
    tenant_context,
)

from .conftest import DOMAIN, unique_schema_name


def test_creates_tenant_schema_and_primary_domain():
    schema_name = unique_schema_name("new")
    call_command("add_tenant", schema_name, "--name", "New Co")
    tenant = get_tenant_model().objects.get(schema_name=schema_name)
    assert tenant.name == "New Co"
    assert schema_exists(schema_name)
    domain = get_tenant_domain_model().objects.get(tenant=tenant)
    assert (domain.domain, domain.is_primary) == (f"{schema_name}.{DOMAIN}", True)
    tenant.delete(force_drop=True)


def test_creates_an_admin_in_the_tenant_only(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "s3cret-enough")
    schema_name = unique_schema_name("admin")
    call_command("add_tenant", schema_name, "--admin", "boss", "--admin-email", "b@example.com")
    tenant = get_tenant_model().objects.get(schema_name=schema_name)
    with tenant_context(tenant):
        boss = get_user_model().objects.get(username="boss")
        assert boss.is_superuser and boss.check_password("s3cret-enough")
    assert not get_user_model().objects.filter(username="boss").exists()  # not in public
    tenant.delete(force_drop=True)


def test_an_admin_without_a_password_is_refused_before_anything_is_made(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        call_command("add_tenant", "nopassword", "--admin", "boss")
    assert not get_tenant_model().objects.filter(schema_name="nopassword").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["Bad-Name"], "Invalid schema name"),
        (["public"], "shared schema"),
        (["okname", "--domain", "Not A Host"], "Invalid domain"),
        (["a"], "already exists"),
        (["okname", "--domain", f"a.{DOMAIN}"], "already serves"),
    ],
    ids=["bad-schema", "public", "bad-domain", "duplicate-schema", "duplicate-domain"],
)
def test_refuses_bad_input_and_creates_nothing(tenant_a, arguments, message):
    tenants_before = get_tenant_model().objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("add_tenant", *arguments)
    assert get_tenant_model().objects.count() == tenants_before
    assert not schema_exists("okname")
