"""The tenancy layer's own errors."""

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError


class TenancyError(Exception):
    """Base class of the tenancy layer's errors."""


class TenantNotFound(TenancyError):
    """No tenant matches the request or handshake; the message says what was looked up."""


class TenantRequired(TenancyError):
    """Tenant work was started with no tenant active (a tenant task sent outside a tenant)."""


class NoTenantActive(TenancyError, DatabaseError):
    """A query was made with no tenant (and not the public schema) active: refused."""


class TenantSchemaMissing(TenancyError, DatabaseError):
    """The active tenant's schema is gone (tenant deleted): no query may fall back to public."""


class TenantMiddlewareMissing(TenancyError, ImproperlyConfigured):
    """A tenant consumer was reached without TenantWebsocketMiddleware in front of it."""
