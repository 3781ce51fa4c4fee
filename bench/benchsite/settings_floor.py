"""The floor: the same settings on Django's plain PostgreSQL backend (no schemas, no tenant)."""

from .settings import *  # noqa: F403
from .settings import DATABASES

DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
