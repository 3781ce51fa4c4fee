"""The active tenant: one ContextVar, the single place that says which schema queries run in.

django-tenants keeps the schema on the connection object, which is per *thread*. Under ASGI
every thread-sensitive `sync_to_async` call of a process shares one thread and one connection,
so a schema set for one WebSocket leaks into the next caller's queries. A ContextVar is per
*task* instead: asgiref copies the caller's context into the thread it runs sync code on, so
the database backend sees the schema of whoever made the call, whatever thread runs it.

A query made with nothing active fails (`NoTenantActive`) instead of guessing a schema: shared
tables are read inside `public_schema()`, as the HTTP middleware, the tenant lookups and
`manage.py` do. django-tenants' own `tenant_context()`, `schema_context()` and
`connection.set_tenant()` keep working: the backend routes them here (on exit they restore
the public schema, not "nothing").
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from django_tenants.utils import get_public_schema_name


@dataclass(frozen=True, slots=True)
class SchemaOnly:
    """A bare schema where a tenant is expected, like django-tenants' FakeTenant."""

    schema_name: str
    tenant_type: str | None = None

    def get_tenant_type(self) -> str | None:
        return self.tenant_type


@dataclass(frozen=True, slots=True)
class ActiveSchema:
    tenant: Any  # a tenant model instance, or a bare schema (SchemaOnly, FakeTenant)
    include_public: bool = True

    @property
    def schema_name(self) -> str:
        return self.tenant.schema_name


_active: ContextVar[ActiveSchema | None] = ContextVar("tenancy_active_schema", default=None)


def is_active() -> bool:
    """Whether a tenant, or the public schema, was made active in this context."""
    return _active.get() is not None


def get_active_schema() -> ActiveSchema:
    """The schema queries run in now (public when nothing is active: they are refused)."""
    active = _active.get()
    return ActiveSchema(public_tenant()) if active is None else active


def get_current_tenant() -> Any | None:
    """The active tenant (a model instance or bare schema), or None in the public schema."""
    active = _active.get()
    if active is None or active.schema_name == get_public_schema_name():
        return None
    return active.tenant


def set_active_tenant(tenant: Any, include_public: bool = True) -> None:
    """Make `tenant` active for the rest of the current context (django-tenants' API).

    Prefer `active_tenant()`, which restores the previous tenant on exit.
    """
    _active.set(ActiveSchema(tenant, include_public))


def activate(tenant: Any, include_public: bool = True) -> Token:
    """Make `tenant` active until `deactivate()` is given the returned token."""
    return _active.set(ActiveSchema(tenant, include_public))


def deactivate(token: Token) -> None:
    """Restore what was active before the `activate()` that returned `token`."""
    _active.reset(token)


@contextmanager
def active_tenant(tenant: Any, include_public: bool = True) -> Iterator[Any]:
    """Run the block in `tenant`'s schema, from sync or async code; nesting-safe."""
    token = activate(tenant, include_public)
    try:
        yield tenant
    finally:
        deactivate(token)


def public_tenant() -> SchemaOnly:
    """Stands for the public schema wherever a tenant is expected."""
    return SchemaOnly(get_public_schema_name())


@contextmanager
def public_schema() -> Iterator[None]:
    """Run the block in the public schema, whatever tenant is active around it."""
    with active_tenant(public_tenant()):
        yield
