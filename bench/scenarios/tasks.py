"""5. Celery: tasks/s of a TenantTask and of a plain task, same worker, same broker, 10 tenants.

One worker process (solo pool, the project's settings: acks late, prefetch 1) consumes one
queue of this run. The publisher (`benchsite.publish`, a process of its own) queues every
batch behind a gate; the orchestrator opens one gate at a time, and the worker's own marks
time the batch. Kinds alternate between plain and tenant, twice, so drift falls on both.
"""

import redis

import servers

from .common import Bench, Row, at_most

# Expected seconds on 2 cores (full, quick): run.py skips what would overrun its budget.
SECONDS = (25, 8)
TITLE = "Celery"
TENANTS = 10
PAIRS = (
    ("read", "bench.tenant_read", "bench.plain_read"),
    ("no-op", "bench.tenant_noop", "bench.plain_noop"),
)


def run(bench: Bench) -> dict:
    bench.ensure_tenants(TENANTS)
    count, reps = bench.size(600, 100), bench.size(2, 1)
    queue = f"bench-{bench.run.run_id}-celery"
    batches = [
        {"task": task, "count": count, "key": f"{queue}:{rep}:{task}"}
        for rep in range(reps)
        for _label, tenant_task, plain_task in PAIRS
        for task in ((plain_task, tenant_task) if rep % 2 == 0 else (tenant_task, plain_task))
    ]
    client = redis.Redis.from_url(bench.run.redis_url)
    seconds: dict[str, list[float]] = {}
    with servers.worker(bench.run, queue) as worker:
        published = bench.run.publish({"queue": queue, "tenants": TENANTS, "batches": batches})
        for batch in batches:
            key = batch["key"]
            client.set(f"{key}:open", "1", ex=600)

            def finished(key: str = key) -> bool:
                worker.check_alive()
                return bool(client.exists(f"{key}:end"))

            servers.wait_until(finished, bench.size(60, 30), f"batch {key}")
            start, end = (float(client.get(f"{key}:{mark}")) for mark in ("start", "end"))
            seconds.setdefault(batch["task"], []).append(end - start)
    per_task_ms = {
        task: sum(times) / (count * len(times)) * 1000 for task, times in seconds.items()
    }
    return {
        "count": count,
        "reps": reps,
        "publish_seconds": published["seconds"],
        "batch_seconds": seconds,
        "per_task_ms": per_task_ms,
    }


def rows(result: dict) -> list[Row]:
    out = []
    per_task = result["per_task_ms"]
    for label, tenant_task, plain_task in PAIRS:
        times = {"tenant": per_task[tenant_task], "floor": per_task[plain_task]}
        row = Row(
            TITLE,
            f"time per task, {label} (floor: a plain Celery task)",
            "ms",
            times,
            target="≤ 1.05× plain",
        )
        row.met = at_most(row.ratio, 1.05)
        out.append(row)
        rates = {name: 1000 / ms for name, ms in times.items()}
        out.append(Row(TITLE, f"tasks/s, {label}", "/s", rates))
    return out
