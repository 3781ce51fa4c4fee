"""6. Growth: the handshake, the lookups and the round trip at 1, 100 and 1,000 tenants.

At each step every tenant has its row, its domain and its schema (see `benchsite.setup`).
Handshakes go to hosts spread over all the tenants. Measured per step:
- cold handshakes of the tenant stack (lookup cache emptied: each does one lookup query);
- the host lookup itself, cold (a query), from Redis (a process starting cold) and from the
  process' memory, and the cache's keys and bytes in Redis once every host is cached;
- warm handshakes of every variant, and the round trip of the tenant stack and the floor.
Broadcast and memory per socket are not re-measured: they involve no lookup, the lookup
cache holds an entry per tenant hostname (not per socket) and a group is per tenant whatever
the count.
"""

from .common import Bench, Row, hosts, interleaved, merged

# Expected seconds on 2 cores (full, quick): run.py skips what would overrun its budget.
SECONDS = (90, 30)
TITLE = "Growth"
VARIANTS = ["tenant", "floor", "naive"]


def spread(count: int, sample: int) -> list[str]:
    """`sample` hosts spread evenly over tenants t0000..t<count-1>."""
    every = hosts(count)
    sample = min(sample, count)
    return [every[index * count // sample] for index in range(sample)]


def run(bench: Bench) -> dict:
    steps = bench.size([1, 100, 1000], [1, 10, 20])
    results = []
    with bench.servers(VARIANTS) as ports:
        bench.ensure_tenants(steps[0])
        # Not measured: each server's first handshakes import and allocate what later ones reuse.
        prime = {"kind": "handshakes", "hosts": hosts(1), "warmup": 1, "count": 5, "concurrency": 1}
        interleaved(bench, ports, prime, 1, 15)
        for count in steps:
            created = bench.ensure_tenants(count)
            step = {"tenants": count, "create_seconds": created["seconds"]}
            bench.run.setup("forget")
            cold_job = {
                "kind": "handshakes",
                "hosts": spread(count, bench.size(50, 5)),
                "warmup": 0,
                "count": min(count, bench.size(50, 5)),
                "concurrency": 1,
            }
            cold = bench.client({**cold_job, "port": ports["tenant"]}, bench.size(30, 15))
            step["cold_handshake"] = merged([cold], "handshakes")
            step["lookups"] = bench.run.setup("lookups", str(count))  # leaves every host cached
            warm_job = {
                "kind": "handshakes",
                "hosts": spread(count, bench.size(80, 15)),
                "warmup": 1,
                "count": bench.size(80, 15),
                "concurrency": 1,
            }
            raw = interleaved(bench, ports, warm_job, 1, bench.size(30, 15))
            step["handshake"] = {name: merged(r, "handshakes") for name, r in raw.items()}
            messages = bench.size(60, 10)
            rt_job = {"kind": "roundtrips", "hosts": spread(count, 1), "messages": messages}
            rt_ports = {name: ports[name] for name in ("tenant", "floor")}
            raw = interleaved(bench, rt_ports, rt_job, 1, bench.size(30, 15))
            step["roundtrip"] = {name: merged(r, "messages") for name, r in raw.items()}
            results.append(step)
    return {"steps": results}


def rows(result: dict) -> list[Row]:
    out = []
    for step in result["steps"]:
        n = f"{step['tenants']:,} tenant{'s' if step['tenants'] > 1 else ''}"
        handshake = step["handshake"]
        out.append(
            Row(TITLE, f"{n}: handshake p50", "ms", {k: m["p50_ms"] for k, m in handshake.items()})
        )
        cold = step["cold_handshake"]
        lookups = cold["per_unit"].get("tenant_lookup", 0.0)
        out.append(
            Row(
                TITLE,
                f"{n}: cold handshake p50 (lookup queries each)",
                "ms",
                {"tenant": f"{cold['p50_ms']:.2f} ({lookups:.2f})"},
                compare=False,
            )
        )
        lookup = step["lookups"]
        out.append(
            Row(
                TITLE,
                f"{n}: host lookup cold / from Redis / from memory; cache keys, KB",
                "",
                {
                    "tenant": f"{lookup['cold_ms']:.2f} / {lookup['redis_ms']:.3f} / "
                    f"{lookup['memory_ms']:.4f} ms; "
                    f"{lookup['keys']}, {lookup['bytes'] / 1024:.0f}"
                },
                compare=False,
            )
        )
        roundtrip = step["roundtrip"]
        out.append(
            Row(TITLE, f"{n}: round trip p50", "ms", {k: m["p50_ms"] for k, m in roundtrip.items()})
        )
    return out
