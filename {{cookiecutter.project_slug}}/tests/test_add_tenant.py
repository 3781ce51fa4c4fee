"""`manage.py add_tenant`: a tenant, its schema and its domain in one step; bad input refused."""

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import get_tenant_domain_model, get_tenant_model, schema_exists

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
