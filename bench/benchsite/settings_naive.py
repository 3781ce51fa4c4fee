"""The naive recipe: the same settings on django-tenants' stock backend (schema per thread)."""

from .settings import *  # noqa: F403
from .settings import DATABASES

DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
