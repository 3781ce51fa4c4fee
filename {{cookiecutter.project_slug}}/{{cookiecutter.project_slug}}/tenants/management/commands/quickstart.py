"""Development in one step: migrate, seed the demo tenants, serve."""

import contextvars
import os
import signal
import sys

import uvicorn
{%- if cookiecutter.tenant_resolution == "header" %}
from django.conf import settings
{%- endif %}
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, create the demo tenants and serve the ASGI app on 127.0.0.1:$PORT (8000)."

    def handle(self, *args, **options):
        call_command("migrate_schemas", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=self.stdout)
        port = int(os.environ.get("PORT", "8000"))
{%- if cookiecutter.tenant_resolution == "subdomain" %}
        self.stdout.write(
            f"Open http://acme.localhost:{port}/ and http://globex.localhost:{port}/ "
            "(user demo, password demo)."
        )
{%- else %}
        self.stdout.write(
            f"Serving http://localhost:{port}/: name a tenant with ?tenant=acme or the "
            f"{settings.TENANT_HEADER} header (user demo, password demo)."
        )
{%- endif %}
        # uvicorn re-raises SIGTERM once it has shut down: exit cleanly then, so the embedded
        # servers are stopped on the way out.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        # A fresh context, as in production: manage.py made the public schema active here,
        # and connections would inherit it instead of failing closed.
        contextvars.Context().run(
            uvicorn.run, "config.asgi:application", host="127.0.0.1", port=port, log_level="info"
        )
