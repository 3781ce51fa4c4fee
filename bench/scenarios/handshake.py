"""1. Handshake: latency one at a time, rate a few at a time; 1 and 50 tenants.

Latency is from the TCP connect until the initial `items` frame has arrived (the socket is
usable: origin check, tenant, session and user, accept, the first read). The rate opens and
closes sockets `concurrency` at a time. The server counts its statements meanwhile: a warm
handshake of the tenant stack should read no tenant or domain row.
"""

from .common import (
    Bench,
    Row,
    hosts,
    interleaved,
    latency_rows,
    merged,
    per_unit_values,
    pool_rows,
)

# Expected seconds on 2 cores (full, quick): run.py skips what would overrun its budget.
SECONDS = (80, 25)
TITLE = "Handshake"
TENANT_COUNTS = (1, 50)
CONCURRENCY = 8


def run(bench: Bench) -> dict:
    bench.ensure_tenants(max(TENANT_COUNTS))
    reps = bench.size(2, 1)
    results = {}
    with bench.servers() as ports:
        for count in TENANT_COUNTS:
            targets = hosts(count)
            for mode, concurrency, handshakes in (
                ("latency", 1, bench.size(80, 20)),
                ("rate", CONCURRENCY, bench.size(120, 24)),
            ):
                job = {
                    "kind": "handshakes",
                    "hosts": targets,
                    "warmup": count,
                    "count": handshakes,
                    "concurrency": concurrency,
                }
                raw = interleaved(bench, ports, job, reps, seconds=bench.size(40, 15))
                results[f"{count}:{mode}"] = {n: merged(r, "handshakes") for n, r in raw.items()}
    return {"concurrency": CONCURRENCY, "tenant_counts": TENANT_COUNTS, "measured": results}


def rows(result: dict) -> list[Row]:
    out = []
    for count in result["tenant_counts"]:
        latency = result["measured"][f"{count}:latency"]
        rate = result["measured"][f"{count}:rate"]
        label = f"{count} tenant{'s' if count > 1 else ''}"
        out += latency_rows(TITLE, f"latency, {label},", latency, 1.10)
        out += pool_rows(TITLE, f"latency, {label},", latency)
        out.append(
            Row(
                TITLE,
                f"handshakes/s, {label}, {result['concurrency']} at a time",
                "/s",
                {name: m["per_second"] for name, m in rate.items()},
            )
        )
        lookups = per_unit_values(latency, "tenant_lookup")
        out.append(
            Row(
                TITLE,
                f"tenant-lookup queries per warm handshake, {label}",
                "queries",
                lookups,
                target="0",
                met=lookups.get("tenant") == 0,
                compare=False,
            )
        )
        out.append(
            Row(
                TITLE,
                f"statements (DB connects or checkouts) per handshake, {label}",
                "",
                _statements(latency),
                compare=False,
            )
        )
    return out


def _statements(measured: dict[str, dict]) -> dict[str, str]:
    def text(per_unit: dict) -> str:
        return f"{per_unit.get('statements', 0):.2f} ({per_unit.get('connections', 0):.2f})"

    return {name: text(m["per_unit"]) for name, m in measured.items()}
