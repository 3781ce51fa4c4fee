"""Set-up work the orchestrator runs in the baked project's environment, one command a call.

    python -m benchsite.setup prepare          # shared schema, template schema, floor table
    python -m benchsite.setup tenants 50       # tenants t0000..t0049, each with a schema
    python -m benchsite.setup lookups 50       # time their host lookups: cold, Redis, memory
    python -m benchsite.setup forget           # empty the lookup cache, every process' memory too

Each prints one JSON object. Tenants are made in bulk: `Client` and `Domain` rows with
`bulk_create()` (which skips `save()`, so django-tenants neither creates nor migrates a schema),
and each schema as a copy of a template schema migrated once, table by table with
`CREATE TABLE ... (LIKE ... INCLUDING ALL)`: about 30 ms a tenant here, against about 1 s to
migrate one and 100 ms for django-tenants' `clone_schema` (which reinstalls its PL/pgSQL
function on every call and copies rows). The copies have the template's columns, defaults,
identities and indexes, but no foreign keys and no rows: the bench reads and writes only the
demo table, and anonymous sockets touch no other.
"""

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
django.setup()

import redis  # noqa: E402
from acme_saas.tenancy import cache as tenant_cache  # noqa: E402
from acme_saas.tenancy.context import public_schema  # noqa: E402
from acme_saas.tenancy.resolution import tenant_for_hostname  # noqa: E402
from acme_saas.tenants.models import Client, Domain  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from .models import FLOOR_TABLE  # noqa: E402

TEMPLATE_SCHEMA = "bench_tpl"
DEMO_TABLE = "items_item"
SCHEMAS_PER_TRANSACTION = 100


def schema_name(number: int) -> str:
    return f"t{number:04d}"


def hostname(number: int) -> str:
    return f"{schema_name(number)}.{settings.TENANT_BASE_DOMAIN}"


def prepare() -> dict:
    started = time.perf_counter()
    call_command("migrate_schemas", shared=True, verbosity=0)
    # The template is a real tenant, saved (so migrated) once; it gets no domain.
    Client(schema_name=TEMPLATE_SCHEMA, name="bench template").save(verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE public."{FLOOR_TABLE}" '
            f'(LIKE "{TEMPLATE_SCHEMA}"."{DEMO_TABLE}" INCLUDING ALL)'
        )
    return {"seconds": time.perf_counter() - started}


def template_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [TEMPLATE_SCHEMA])
        return sorted(row[0] for row in cursor.fetchall())


def copy_schema(cursor, schema: str, tables: list[str]) -> None:
    # One round trip for the whole schema: the statements, not the trips, should cost.
    statements = [f'CREATE SCHEMA "{schema}"'] + [
        f'CREATE TABLE "{schema}"."{table}" (LIKE "{TEMPLATE_SCHEMA}"."{table}" INCLUDING ALL)'
        for table in tables
    ]
    cursor.execute(";\n".join(statements))


def tenants(count: int) -> dict:
    """Make tenants t0000..t<count-1> that do not exist yet (idempotent, so it can grow)."""
    started = time.perf_counter()
    existing = set(Client.objects.values_list("schema_name", flat=True))
    new = [n for n in range(count) if schema_name(n) not in existing]
    tables = template_tables()
    for start in range(0, len(new), SCHEMAS_PER_TRANSACTION):
        batch = new[start : start + SCHEMAS_PER_TRANSACTION]
        with transaction.atomic(), connection.cursor() as cursor:
            clients = Client.objects.bulk_create(
                Client(schema_name=schema_name(n), name=schema_name(n)) for n in batch
            )
            Domain.objects.bulk_create(
                Domain(domain=hostname(n), tenant=client, is_primary=True)
                for n, client in zip(batch, clients, strict=True)
            )
            for n in batch:
                copy_schema(cursor, schema_name(n), tables)
    return {"created": len(new), "seconds": time.perf_counter() - started}


def lookups(count: int) -> dict:
    """Time the host lookups of tenants t0000..: cold (a query), from Redis, from memory.

    "Redis" is what a process that starts cold pays (its memory emptied, Redis warm). Leaves
    every host cached, so the handshakes that follow are warm.
    """
    forget()
    hosts = [hostname(number) for number in range(count)]
    Client.objects.exists()  # connect and load the models first: only the lookups are timed
    timings = {}
    for state in ("cold", "redis", "memory"):
        if state == "redis":
            tenant_cache.memory.forget(None)
        started = time.perf_counter()
        for host in hosts:
            tenant_for_hostname(host)
        timings[f"{state}_ms"] = (time.perf_counter() - started) / count * 1000
    return {**timings, **cache_size()}


def _cache_keys(client: redis.Redis) -> list[bytes]:
    pattern = cache.make_key("tenancy:*")
    return list(client.scan_iter(match=pattern, count=1000))


def cache_size() -> dict:
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = _cache_keys(client)
    return {"keys": len(keys), "bytes": sum(client.memory_usage(key) or 0 for key in keys)}


def forget() -> dict:
    forgotten = len(_cache_keys(redis.Redis.from_url(settings.REDIS_URL)))
    tenant_cache.forget_all()  # and the servers' memories, through the invalidation channel
    return {"forgotten": forgotten}


COMMANDS = {
    "prepare": prepare,
    "tenants": lambda count: tenants(int(count)),
    "lookups": lambda count: lookups(int(count)),
    "cache": cache_size,
    "forget": forget,
}

if __name__ == "__main__":
    command, *args = sys.argv[1:]
    # Set-up works on the shared schema, as `manage.py` does (the backend refuses "no schema").
    with public_schema():
        print(json.dumps(COMMANDS[command](*args)))
