{%- set uses_redis = cookiecutter.channel_layer == "redis" or cookiecutter.celery_broker == "redis" -%}
"""The tenant lookup cache: hostname -> tenant and schema name -> tenant.

A warm handshake, request or task resolves its tenant with no query and no round trip: each
process keeps what it looked up in memory, where async code reads it on the event loop,
without a hop to the database thread (`without_blocking`).
{%- if uses_redis %}

Behind the memory of each process, Redis holds the same entries for all of them, so a process
that starts cold asks Redis before the database. Saving or deleting a tenant or a domain
invalidates the entries it changes everywhere at once: the process that saves deletes them
from Redis and publishes their keys on a pub/sub channel that every process reads, without
waiting, before it answers from memory. A process that is not subscribed (not yet, or since
its connection dropped) does not answer from memory at all, so it cannot miss an invalidation.
{%- else %}

With the in-memory channel layer the project is one process: saving or deleting a tenant or a
domain invalidates its entries at once; changes made from another process (a management
command, say) take effect when the entries expire.
{%- endif %}

Changes that send no signals (a queryset's `update()`, `bulk_create()`, raw SQL) take effect
when the entries expire, after TENANT_CACHE_TIMEOUT seconds, or at once after `forget_all()`.
"""

import os
import threading
import time
{%- if uses_redis %}
import uuid
{%- endif %}
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple, TypeVar

{% if uses_redis -%}
import redis
{% endif -%}
from channels.db import database_sync_to_async
from django.conf import settings
{%- if uses_redis %}
from django.core.cache import caches
{%- endif %}
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
{%- if uses_redis %}
from django.utils.functional import SimpleLazyObject
{%- endif %}
from django_tenants.utils import get_tenant_domain_model, get_tenant_model
{%- if uses_redis %}
from redis.connection import ConnectionPool
{%- endif %}

from .context import public_schema

# Lookups that found nothing are kept briefly: every unknown name someone tries costs an entry.
MISSING_TIMEOUT = 30
# Past this many entries in a process, the oldest make room (unknown names come and go).
MAX_ENTRIES_IN_MEMORY = 10_000
# Published instead of keys, or among them: every entry is invalidated.
ALL = "*"

Result = TypeVar("Result")


class Entry(NamedTuple):
    tenant: Any | None  # None: no tenant has that name
    expires_at: float  # time.time(): one deadline for Redis and every process' copy


class NotInMemory(Exception):
    """Inside `memory_only()`: answering needs {% if uses_redis %}Redis or {% endif %}the database."""


_memory_only: ContextVar[bool] = ContextVar("tenancy_cache_memory_only", default=False)


@contextmanager
def memory_only():
    """Lookups in the block answer from this process' memory or raise `NotInMemory`."""
    token = _memory_only.set(True)
    try:
        yield
    finally:
        _memory_only.reset(token)


async def without_blocking(resolve: Callable[..., Result], *args: Any) -> Result:
    """`resolve(*args)` on the event loop when memory has the answer, else in the DB thread."""
    try:
        with memory_only():
            return resolve(*args)
    except NotInMemory:
        return await database_sync_to_async(resolve)(*args)
{%- if uses_redis %}


def _subscribe() -> "redis.connection.AbstractConnection":
    """A connection of its own subscribed to the invalidation channel (blocking I/O)."""
    pool = ConnectionPool.from_url(
        settings.REDIS_URL,
        socket_timeout=5,
        socket_connect_timeout=5,
        client_name=f"tenancy-invalidations-{os.getpid()}",  # as CLIENT LIST shows it
    )
    connection = pool.make_connection()
    try:
        connection.send_command("SUBSCRIBE", _channel())
        # Until the server confirms, a published invalidation would not reach us.
        kind, *_ = connection.read_response(push_request=True)
        if kind != b"subscribe":
            raise redis.ConnectionError(f"unexpected reply to SUBSCRIBE: {kind!r}")
    except BaseException:
        connection.disconnect()
        raise
    return connection


def _published_keys(connection, sender: str) -> list[str] | None:
    """Keys others published since the last read, without waiting; None if the connection failed.

    A message is its sender's id, then keys. A process's own messages are skipped: it applied
    them when it sent them, and one arriving late would drop what it loaded since.
    """
    keys = []
    try:
        while connection.can_read(timeout=0):
            _kind, _channel, data = connection.read_response(push_request=True)
            published_by, *published = data.decode().split()
            if published_by != sender:
                keys.extend(published)
    except (redis.RedisError, OSError, ValueError):
        return None
    return keys


def _channel() -> str:
    return shared.make_key("tenancy:invalidated")
{%- endif %}


class Memory:
    """This process' copy of the entries: every read here is free of I/O.

    `generation` counts invalidations: an entry loaded while one arrived may be stale, and
    `keep()` drops it.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, Entry] = {}
        self.generation = 0
{%- if uses_redis %}
        self.subscription = None  # the invalidation channel's connection, once subscribed
        self.sender = uuid.uuid4().hex  # signs this process' invalidations
{%- endif %}

    def get(self, key: str) -> Entry | None:
        with self.lock:
{%- if uses_redis %}
            if not self._apply_invalidations():
                return None
{%- endif %}
            entry = self.entries.get(key)
            if entry is not None and entry.expires_at <= time.time():
                del self.entries[key]
                return None
            return entry

    def generation_now(self) -> int:
        """The generation to pass to `keep()` for an entry about to be loaded."""
{%- if uses_redis %}
        if self.subscription is None:
            self._subscribe()
        with self.lock:
            self._apply_invalidations()
            return self.generation
{%- else %}
        return self.generation
{%- endif %}

    def keep(self, key: str, entry: Entry, generation: int) -> bool:
        """Keep `entry` unless an invalidation arrived since `generation`; True if kept."""
        with self.lock:
{%- if uses_redis %}
            self._apply_invalidations()
{%- endif %}
            if generation != self.generation:
                return False
            while len(self.entries) >= MAX_ENTRIES_IN_MEMORY:
                del self.entries[next(iter(self.entries))]
            self.entries[key] = entry
            return True

    def forget(self, keys: list[str] | None) -> None:
        """Drop `keys`, or every entry when `keys` is None."""
        with self.lock:
            self._forget(keys)

    def _forget(self, keys: list[str] | None) -> None:
        self.generation += 1
        if keys is None or ALL in keys:
            self.entries.clear()
            return
        for key in keys:
            self.entries.pop(key, None)
{%- if uses_redis %}

    def _apply_invalidations(self) -> bool:
        """Apply what was published; False when memory cannot answer (not subscribed)."""
        if self.subscription is None:
            return False
        keys = _published_keys(self.subscription, self.sender)
        if keys is None:
            # Never re-subscribe silently: what was published meanwhile would be lost.
            self.subscription.disconnect()
            self.subscription = None
            self._forget(None)
            return False
        if keys:
            self._forget(keys)
        return True

    def _subscribe(self) -> None:
        subscription = _subscribe()  # blocking I/O: not under the lock event-loop reads take
        with self.lock:
            if self.subscription is not None:
                subscription.disconnect()
                return
            self.subscription = subscription
            self._forget(None)  # what was published while not subscribed is unknown
{%- endif %}


memory = Memory()
{%- if uses_redis %}
# The shared entries. One client per process: django.core.cache.cache is per asyncio context
# and closed at the end of an HTTP request, which a WebSocket never reaches: each socket would
# keep a Redis connection of its own for life.
shared = SimpleLazyObject(lambda: caches.create_connection("default"))
# Sends invalidations (and scans the keys for `forget_all`).
publisher = SimpleLazyObject(lambda: redis.Redis.from_url(settings.REDIS_URL))
{%- endif %}


def _reset_after_fork() -> None:
    # A forked worker must not read its parent's socket, nor trust entries it never heard about.
    global memory
    memory = Memory()


os.register_at_fork(after_in_child=_reset_after_fork)


def _key(kind: str, value: str) -> str:
    return f"tenancy:{kind}:{value}"


def cached_lookup(kind: str, value: str, load: Callable[[str], Any | None]) -> Any | None:
    """The cached result of `load(value)`, a tenant or None; `load` runs in public."""
    key = _key(kind, value)
    entry = memory.get(key)
    if entry is not None:
        return entry.tenant
    if _memory_only.get():
        raise NotInMemory(key)
    generation = memory.generation_now()
{%- if uses_redis %}
    entry = shared.get(key)
    if isinstance(entry, Entry) and entry.expires_at > time.time():
        memory.keep(key, entry, generation)
        return entry.tenant
    entry = _load(value, load)
    # Rows read before an invalidation arrived are not shared: Redis would serve them until
    # they expire.
    if memory.keep(key, entry, generation):
        shared.set(key, entry, max(1, round(entry.expires_at - time.time())))
{%- else %}
    entry = _load(value, load)
    memory.keep(key, entry, generation)
{%- endif %}
    return entry.tenant


def _load(value: str, load: Callable[[str], Any | None]) -> Entry:
    with public_schema():
        tenant = load(value)
    timeout = settings.TENANT_CACHE_TIMEOUT
    if tenant is None:
        timeout = min(timeout, MISSING_TIMEOUT)
    return Entry(tenant, time.time() + timeout)


def _invalidate(keys: list[str]) -> None:
{%- if uses_redis %}
    # Redis first: a lookup in this process after the local drop must not find the old entry
    # there, since this process skips the message it publishes.
    shared.delete_many(keys)
    memory.forget(keys)
    _publish(keys)
{%- else %}
    memory.forget(keys)
{%- endif %}


{%- if uses_redis %}


def _publish(keys: list[str]) -> None:
    publisher.publish(_channel(), " ".join([memory.sender, *keys]))
{%- endif %}


def _forget(keys: list[str]) -> None:
    # Now, and again on commit: a lookup between the two would re-cache the old rows.
    _invalidate(keys)
    transaction.on_commit(lambda: _invalidate(keys))


def forget_hostnames(*hostnames: str) -> None:
    _forget([_key("host", hostname) for hostname in hostnames if hostname])


def forget_schema(schema_name: str) -> None:
    _forget([_key("schema", schema_name)])


def forget_all() -> None:
    """Drop every entry{% if uses_redis %}, in every process{% endif %}: after changes that send no signals."""
{%- if uses_redis %}
    keys = list(publisher.scan_iter(match=shared.make_key(_key("*", "*")), count=1000))
    if keys:
        publisher.delete(*keys)
    memory.forget(None)
    _publish([ALL])
{%- else %}
    memory.forget(None)
{%- endif %}


def _tenant_changed(sender, instance, **kwargs) -> None:
    forget_schema(instance.schema_name)
    if kwargs.get("signal") is post_save:
        with public_schema():
            forget_hostnames(*instance.domains.values_list("domain", flat=True))


def _domain_will_change(sender, instance, **kwargs) -> None:
    # A renamed domain must also drop the entry of its old hostname.
    if instance.pk is not None:
        with public_schema():
            previous = sender.objects.filter(pk=instance.pk).values_list("domain", flat=True)
            instance._tenancy_previous_domain = previous.first()


def _domain_changed(sender, instance, **kwargs) -> None:
    forget_hostnames(instance.domain, getattr(instance, "_tenancy_previous_domain", None))


def connect_invalidation() -> None:
    """Invalidate cached lookups whenever a tenant or domain is saved or deleted."""
    tenant_model, domain_model = get_tenant_model(), get_tenant_domain_model()
    uid = "tenancy.cache"
    post_save.connect(_tenant_changed, sender=tenant_model, dispatch_uid=f"{uid}.tenant.save")
    post_delete.connect(_tenant_changed, sender=tenant_model, dispatch_uid=f"{uid}.tenant.delete")
    pre_save.connect(_domain_will_change, sender=domain_model, dispatch_uid=f"{uid}.domain.pre")
    post_save.connect(_domain_changed, sender=domain_model, dispatch_uid=f"{uid}.domain.save")
    post_delete.connect(_domain_changed, sender=domain_model, dispatch_uid=f"{uid}.domain.delete")
