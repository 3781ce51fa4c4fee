#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from {{ cookiecutter.project_slug }}.tenancy.context import public_schema

    # Commands work on the shared schema unless they pick a tenant, as in django-tenants.
    with public_schema():
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
