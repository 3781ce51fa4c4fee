"""Create the demo tenants, acme and globex, each with a user and a few items (idempotent)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django_tenants.utils import get_tenant_domain_model, get_tenant_model, tenant_context

from {{ cookiecutter.project_slug }}.items.models import Item

DEMO_TENANTS = {"acme": "Acme Corp", "globex": "Globex"}
DEMO_USER = ("demo", "demo")  # development only: a known password


class Command(BaseCommand):
    help = (
        "Create the demo tenants acme and globex (at <schema>.<TENANT_BASE_DOMAIN> and "
        "<schema>.localhost), each with the user demo/demo and a few items."
    )

    def handle(self, *args, **options):
        for schema_name, name in DEMO_TENANTS.items():
            tenant = self.tenant(schema_name, name)
            with tenant_context(tenant):
                self.fill(name)
            hosts = ", ".join(tenant.domains.values_list("domain", flat=True))
            self.stdout.write(f"{name}: {hosts}")

    @staticmethod
    def tenant(schema_name: str, name: str):
        tenant = get_tenant_model().objects.filter(schema_name=schema_name).first()
        if tenant is None:
            tenant = get_tenant_model()(schema_name=schema_name, name=name)
            tenant.save(verbosity=0)
        hosts = (f"{schema_name}.{settings.TENANT_BASE_DOMAIN}", f"{schema_name}.localhost")
        for primary, host in zip((True, False), hosts, strict=True):
            get_tenant_domain_model().objects.get_or_create(
                domain=host, defaults={"tenant": tenant, "is_primary": primary}
            )
        return tenant

    @staticmethod
    def fill(name: str) -> None:
        username, password = DEMO_USER
        user_model = get_user_model()
        if not user_model.objects.filter(username=username).exists():
            user_model.objects.create_superuser(username, password=password)
        if not Item.objects.exists():
            for text in (f"Welcome to {name}", "Items you add appear live in every tab"):
                Item.objects.create(text=text)
