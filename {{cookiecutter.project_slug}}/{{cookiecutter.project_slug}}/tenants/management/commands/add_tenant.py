"""Create a tenant with its schema, primary domain and, if asked, an admin user, in one step."""

import os
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import (
    get_public_schema_name,
    get_tenant_domain_model,
    get_tenant_model,
    tenant_context,
)

SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME = re.compile(rf"^{LABEL}(\.{LABEL})*$")


class Command(BaseCommand):
    help = (
        "Create a tenant, migrate its schema and give it a primary domain, by default "
        "<schema_name>.<TENANT_BASE_DOMAIN>."
    )

    def add_arguments(self, parser):
        parser.add_argument("schema_name", help="lowercase letters, digits and '_'")
        parser.add_argument("--name", help="display name (default: the schema name)")
        parser.add_argument("--domain", help="hostname serving the tenant")
        parser.add_argument(
            "--admin",
            metavar="USERNAME",
            help="also create this superuser in the tenant; its password comes from "
            "DJANGO_SUPERUSER_PASSWORD, as with createsuperuser",
        )
        parser.add_argument("--admin-email", default="", help="the admin's e-mail address")

    def handle(self, *args, schema_name, name=None, domain=None, admin=None, **options):
        domain = domain or f"{schema_name.replace('_', '-')}.{settings.TENANT_BASE_DOMAIN}"
        self.check_new(schema_name, domain)
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if admin and not password:
            raise CommandError("--admin needs its password in DJANGO_SUPERUSER_PASSWORD.")
        name = name or schema_name
        tenant = get_tenant_model().objects.create(schema_name=schema_name, name=name)
        get_tenant_domain_model().objects.create(domain=domain, tenant=tenant, is_primary=True)
        self.stdout.write(self.style.SUCCESS(f"Created tenant {schema_name!r} at {domain}"))
        if admin:
            with tenant_context(tenant):
                get_user_model().objects.create_superuser(
                    admin, email=options["admin_email"], password=password
                )
            self.stdout.write(self.style.SUCCESS(f"Created its admin {admin!r}"))

    @staticmethod
    def check_new(schema_name: str, domain: str) -> None:
        if not SCHEMA_NAME.match(schema_name):
            raise CommandError(
                f"Invalid schema name {schema_name!r}: use 1-63 lowercase letters, digits "
                "and '_', starting with a letter."
            )
        if schema_name == get_public_schema_name():
            raise CommandError(f"{schema_name!r} is the shared schema, not a tenant.")
        if len(domain) > 253 or not HOSTNAME.match(domain):
            raise CommandError(f"Invalid domain {domain!r}: use a lowercase hostname.")
        if get_tenant_model().objects.filter(schema_name=schema_name).exists():
            raise CommandError(f"A tenant with the schema {schema_name!r} already exists.")
        if get_tenant_domain_model().objects.filter(domain=domain).exists():
            raise CommandError(f"The domain {domain!r} already serves a tenant.")
