"""2. Message round trip: `item.create` to its `item.created` echo, one DB write each.

Each message is one INSERT (`acreate`, RETURNING the row) and a group send back to the sender
(the only socket of its tenant). The demo protocol has no frame that also reads, so the round
trip is the write and the echo. Latency: one socket, one message at a time. Rate: sockets of
10 tenants at once, so the schema changes between consecutive messages on the server's
database thread. The server counts statements per message, `SET search_path` among them.
"""

from .common import Bench, Row, hosts, interleaved, latency_rows, merged, pool_rows

# Expected seconds on 2 cores (full, quick): run.py skips what would overrun its budget.
SECONDS = (35, 15)
TITLE = "Round trip"
SOCKETS = 10


def run(bench: Bench) -> dict:
    bench.ensure_tenants(SOCKETS)
    reps = bench.size(2, 1)
    results = {}
    with bench.servers() as ports:
        for mode, targets, messages in (
            ("latency", hosts(1), bench.size(120, 20)),
            ("rate", hosts(SOCKETS), bench.size(30, 10)),
        ):
            job = {"kind": "roundtrips", "hosts": targets, "messages": messages}
            raw = interleaved(bench, ports, job, reps, seconds=bench.size(40, 15))
            results[mode] = {name: merged(r, "messages") for name, r in raw.items()}
    return {"sockets": SOCKETS, "measured": results}


def rows(result: dict) -> list[Row]:
    latency, rate = result["measured"]["latency"], result["measured"]["rate"]
    out = latency_rows(TITLE, "latency, 1 socket,", latency, 1.10)
    out += pool_rows(TITLE, "latency, 1 socket,", latency)
    out.append(
        Row(
            TITLE,
            f"messages/s, {result['sockets']} sockets of {result['sockets']} tenants",
            "/s",
            {name: m["per_second"] for name, m in rate.items()},
        )
    )
    for kind, label in (
        ("statements", "statements per message"),
        ("search_path", "SET search_path per message"),
        ("connections", "DB connects (pooled: checkouts) per message"),
    ):
        for mode, tenants in (("latency", 1), ("rate", result["sockets"])):
            measured = result["measured"][mode]
            values = {name: m["per_unit"].get(kind, 0.0) for name, m in measured.items()}
            metric = f"{label}, {tenants} tenant{'s' if tenants > 1 else ''}"
            out.append(Row(TITLE, metric, "", values, compare=False))
    return out
