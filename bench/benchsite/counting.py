"""What a server sends to PostgreSQL, counted in-process and served over HTTP.

Every bench server is wrapped in `counted()`, so each variant pays the same for the counting.
`GET /__bench__/stats` answers the counts since the last reset, and the process' open
WebSockets, RSS, threads and open descriptors; `?reset=1` starts a new window, `?objects=1`
adds how many objects the garbage collector tracks. The path is answered before the wrapped
application sees the request, so it costs the application nothing and needs no tenant.
"""

import gc
import json
import os
import threading
import time
from collections import Counter
from urllib.parse import parse_qs

from django.conf import settings
from django.db.backends.postgresql.base import Cursor
from django.db.backends.signals import connection_created

STATS_PATH = "/__bench__/stats"

_lock = threading.Lock()
_counts: Counter = Counter()
_gauges: Counter = Counter()  # levels now, never reset: sockets inside the application
_installed = False


def _kind(sql: str) -> str:
    if not sql.strip():
        # psycopg_pool's check of a connection at checkout (Django with CONN_HEALTH_CHECKS).
        return "pool_check"
    if "search_path" in sql:
        return "search_path"
    # Django's set-up of each new connection (PostgreSQL's zone name differs from "UTC").
    if "set_config('TimeZone'" in sql or "SET TIME ZONE" in sql:
        return "connection_setup"
    # The only tables a tenant lookup reads: django-tenants' tenant and domain models.
    if '"tenants_domain"' in sql or '"tenants_client"' in sql:
        return "tenant_lookup"
    return "other"


def _count(*kinds: str) -> None:
    with _lock:
        _counts.update(kinds)


def _install() -> None:
    """Count every statement of every thread: Django's cursors and the tenant backend's
    raw `SET search_path` cursor are all this class (the backend's cursor factory)."""
    global _installed
    if _installed:
        return
    _installed = True
    execute = Cursor.execute

    def counting_execute(self, query, params=None, **kwargs):
        _count("statements", _kind(str(query)))
        return execute(self, query, params, **kwargs)

    Cursor.execute = counting_execute
    connection_created.connect(lambda **kwargs: _count("connections"), weak=False)
    gc.callbacks.append(_time_gc)


_gc_started = 0.0


def _time_gc(phase: str, info: dict) -> None:
    """Seconds the server spent in full (generation 2) collections: they scan every object
    (every socket's), so they grow with what each socket holds."""
    global _gc_started
    if info["generation"] != 2:
        return
    if phase == "start":
        _gc_started = time.perf_counter()
    else:
        _count_time("gc2_ms", (time.perf_counter() - _gc_started) * 1000)
        _count("gc2_collections")


def _count_time(kind: str, value: float) -> None:
    with _lock:
        _counts[kind] += value


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def snapshot(reset: bool, objects: bool) -> dict:
    with _lock:
        counts = dict(_counts)
        if reset:
            _counts.clear()
    if objects:  # on request only: listing every object of a big heap takes a while
        counts["gc_objects"] = len(gc.get_objects())
    return {
        **counts,
        "pooled": bool(settings.DATABASES["default"].get("OPTIONS", {}).get("pool")),
        "websockets": _gauges["websockets"],
        "rss_kb": _rss_kb(),
        "threads": threading.active_count(),
        "fds": len(os.listdir("/proc/self/fd")),  # sockets, DB and Redis connections, files
    }


async def _serve_stats(scope, receive, send) -> None:
    query = parse_qs(scope.get("query_string", b"").decode())
    body = json.dumps(snapshot(query.get("reset") == ["1"], query.get("objects") == ["1"]))
    body = body.encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def counted(app):
    """`app`, with its statements counted and the counts served at STATS_PATH."""
    _install()

    async def application(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == STATS_PATH:
            return await _serve_stats(scope, receive, send)
        if scope["type"] != "websocket":
            return await app(scope, receive, send)
        _gauges["websockets"] += 1  # on the event loop only: no lock needed
        try:
            return await app(scope, receive, send)
        finally:
            _gauges["websockets"] -= 1

    return application
