"""django-tenants' PostgreSQL backend with the active schema read from `tenancy.context`.

Four changes to django-tenants' `DatabaseWrapper`, each closing a leak:

- `tenant`, `schema_name` and `include_public_schema` are read from the context, and
  `set_tenant()` writes there, so the schema follows the calling task, not the thread that
  happens to run its query (see `tenancy.context`).
- A query with nothing active raises `NoTenantActive` rather than run in a leftover or
  default schema.
- `search_path` is set only when it differs from what the physical connection already has
  (remembered per connection, so across pool checkouts too),
  and in the same statement that checks the schema still exists: a dropped tenant schema
  raises `TenantSchemaMissing` instead of silently reading `public`'s tables of the same name.
- A failed `SET` is not swallowed, except inside an already aborted transaction, where the
  next statement (usually the rollback) is what matters.
"""

from weakref import WeakKeyDictionary

from django.contrib.contenttypes.models import ContentType
from django_tenants.postgresql_backend import base as tenants_base
from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection
from django_tenants.utils import quote_schema_name
from psycopg.errors import InFailedSqlTransaction

from .. import context
from ..exceptions import NoTenantActive, TenantSchemaMissing

# physical connection -> the search_path it has (see search_path_set_schemas).
_search_paths: WeakKeyDictionary = WeakKeyDictionary()

# Sets the search path only if the schema exists: no row, no SET.
SET_SEARCH_PATH_IF_SCHEMA_EXISTS = (
    "SELECT set_config('search_path', %s, false) FROM pg_namespace WHERE nspname = %s"
)


def in_aborted_transaction(error: BaseException) -> bool:
    # Django's cursor wrapper re-raises psycopg's error as its own InternalError.
    return isinstance(error, InFailedSqlTransaction) or isinstance(
        error.__cause__, InFailedSqlTransaction
    )


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        # Skip django-tenants' __init__: it ends with set_schema_to_public(), which here would
        # reset the *caller's* active tenant whenever a thread opens its first connection.
        tenants_base.original_backend.DatabaseWrapper.__init__(self, *args, **kwargs)
        self._setting_search_path = False
        self.introspection = DatabaseSchemaIntrospection(self)

    # The search_path a *physical* connection has is its own state: with a pool it outlives
    # this wrapper's hold on it, so it is kept with the connection, not the wrapper.
    @property
    def search_path_set_schemas(self):
        return None if self.connection is None else _search_paths.get(self.connection)

    @search_path_set_schemas.setter
    def search_path_set_schemas(self, value):
        if self.connection is None:
            return
        if value is None:
            _search_paths.pop(self.connection, None)
        else:
            _search_paths[self.connection] = value

    def close(self):
        # A connection handed back mid-transaction is rolled back by the pool, and a SET made
        # in that transaction with it: only then is its search_path unknown.
        if self.in_atomic_block or not self.autocommit:
            self.search_path_set_schemas = None
        self._setting_search_path = False
        tenants_base.original_backend.DatabaseWrapper.close(self)

    @property
    def tenant(self):
        return context.get_active_schema().tenant

    @property
    def schema_name(self) -> str:
        return context.get_active_schema().schema_name

    @property
    def include_public_schema(self) -> bool:
        return context.get_active_schema().include_public

    def set_tenant(self, tenant, include_public=True):
        context.set_active_tenant(tenant, include_public)
        if tenants_base.EXTRA_SET_TENANT_METHOD:
            tenants_base.EXTRA_SET_TENANT_METHOD(self, tenant)
        # As django-tenants does: content type ids may differ between schemas.
        ContentType.objects.clear_cache()

    def _handle_search_path(self, cursor=None):
        if self._setting_search_path:
            return
        if not context.is_active():
            raise NoTenantActive(
                "No tenant is active for this query: run it in tenant_context(tenant), a "
                "tenant consumer or task, or in public_schema() for the shared tables."
            )
        search_paths = self._get_cursor_search_paths()
        if search_paths == self.search_path_set_schemas:
            return

        self._setting_search_path = True
        target = self.connection.cursor() if cursor is None else cursor
        try:
            target.execute(
                SET_SEARCH_PATH_IF_SCHEMA_EXISTS,
                [",".join(quote_schema_name(s) for s in search_paths), self.schema_name],
            )
            if target.fetchone() is None:
                raise TenantSchemaMissing(
                    f"Schema {self.schema_name!r} does not exist: its tenant was deleted, or "
                    "its schema was never created (run migrate_schemas)."
                )
        except BaseException as error:
            self.search_path_set_schemas = None
            if not in_aborted_transaction(error):
                raise
        else:
            self.search_path_set_schemas = search_paths
        finally:
            self._setting_search_path = False
            if cursor is None:
                target.close()
