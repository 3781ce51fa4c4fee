"""What the scenarios share: the run's context, interleaved measurement, summaries, rows."""

import contextlib
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import servers

TENANT_DOMAIN = "example.com"  # the default bake's TENANT_BASE_DOMAIN
# Stats that are levels or flags, not counts to add up.
GAUGES = ("pooled", "websockets", "rss_kb", "threads", "fds", "gc_objects")


def hosts(count: int, first: int = 0) -> list[str]:
    """Hostnames of bench tenants t<first>..t<first+count-1> (`benchsite.setup` names them)."""
    return [f"t{number:04d}.{TENANT_DOMAIN}" for number in range(first, first + count)]


@dataclass
class Bench:
    """One bench run as the scenarios see it."""

    run: servers.Run
    quick: bool
    variants: list[str]  # names in servers.VARIANTS, "tenant" and "floor" always among them
    deadline: float = 0.0  # time.monotonic() by which every scenario must have ended

    def size(self, full, quick):
        return quick if self.quick else full

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def client(self, job: dict, seconds: float) -> dict:
        """One load-generator job, stopping by itself after `seconds`."""
        return self.run.client({**job, "seconds": seconds}, timeout=seconds + 60)

    def ensure_tenants(self, count: int) -> dict:
        """Bench tenants t0000..t<count-1> exist (created as needed, never removed)."""
        return self.run.setup("tenants", str(count))

    @contextlib.contextmanager
    def servers(self, names: list[str] | None = None) -> Iterator[dict[str, int]]:
        """A server per variant, all up at once (idle ones cost nothing); name -> port."""
        names = [name for name in (names or self.variants) if name in self.variants]
        with contextlib.ExitStack() as stack:
            serve = servers.server
            yield {n: stack.enter_context(serve(self.run, servers.VARIANTS[n])).port for n in names}


def interleaved(bench: Bench, ports: dict[str, int], job: dict, reps: int, seconds: float):
    """Run `job` against every server `reps` times, rotating the order between repetitions,
    so warm-up and drift of the machine fall on every variant alike; name -> [results]."""
    names = list(ports)
    results: dict[str, list[dict]] = {name: [] for name in names}
    for rep in range(reps):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            results[name].append(bench.client({**job, "port": ports[name]}, seconds))
    return results


def percentile(samples: list[float], p: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def merged(results: list[dict], count_key: str) -> dict:
    """The repetitions of one variant as one measurement: latency percentiles over all samples
    (ms), the rate over all of them, and the server's counts per `count_key` unit."""
    samples = [s for r in results for s in r["samples"]]
    done = sum(r[count_key] for r in results)
    seconds = sum(r["seconds"] for r in results)
    server = Counter()
    for r in results:
        server.update({k: v for k, v in r["server"].items() if k not in GAUGES})
    return {
        count_key: done,
        "p50_ms": _ms(percentile(samples, 50)),
        "p99_ms": _ms(percentile(samples, 99)),
        "per_second": done / seconds if seconds else None,
        "per_unit": {kind: count / done for kind, count in server.items()} if done else {},
        "pooled": results[0]["server"].get("pooled") if results else None,  # as the server says
        "errors": sum(r["errors"] for r in results),
        "first_errors": [e for r in results for e in r["first_errors"]][:3],
        "samples_ms": [round(s * 1000, 3) for s in samples],
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


# Rows of the report ------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table: a metric for each variant, and its target if any."""

    scenario: str
    metric: str
    unit: str
    values: dict[str, float | str | None]
    subject: str = "tenant"  # the ratio is subject / baseline
    baseline: str = "floor"
    target: str = ""
    met: bool | None = None
    compare: bool = True  # False: counts or text, where a ratio means nothing
    ratio: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.compare:
            self.ratio = ratio(self.values.get(self.subject), self.values.get(self.baseline))


def ratio(value, baseline) -> float | None:
    numbers = (int, float)
    if not isinstance(value, numbers) or not isinstance(baseline, numbers) or not baseline:
        return None
    return value / baseline


def at_most(row_ratio: float | None, limit: float) -> bool | None:
    return None if row_ratio is None else row_ratio <= limit


def at_least(row_ratio: float | None, limit: float) -> bool | None:
    return None if row_ratio is None else row_ratio >= limit


def latency_rows(scenario: str, what: str, measured: dict[str, dict], limit: float) -> list[Row]:
    """p50 and p99 rows of `what`, each with the target `tenant <= limit x floor`."""
    rows = []
    for key in ("p50_ms", "p99_ms"):
        values = {name: m[key] for name, m in measured.items()}
        row = Row(scenario, f"{what} {key[:3]}", "ms", values, target=f"≤ {limit:.2f}× floor")
        row.met = at_most(row.ratio, limit)
        rows.append(row)
    return rows


def pool_rows(scenario: str, what: str, measured: dict[str, dict]) -> list[Row]:
    """Issue 8's pooled and unpooled rows, when the unpooled variants ran: the tenant stack
    against the floor without a pool, and the pooled stack against the unpooled floor."""
    if not {"tenant_nopool", "floor_nopool"} <= set(measured):
        return []
    values = {name: m["p50_ms"] for name, m in measured.items()}
    unpooled = Row(
        scenario,
        f"{what} p50, no pool: tenant ÷ floor",
        "ms",
        values,
        subject="tenant_nopool",
        baseline="floor_nopool",
    )
    pooled = Row(
        scenario,
        f"{what} p50: pooled tenant ÷ floor without pool",
        "ms",
        values,
        baseline="floor_nopool",
        target="≤ 0.40×",
    )
    pooled.met = at_most(pooled.ratio, 0.40)
    return [unpooled, pooled]


def per_unit_values(measured: dict[str, dict], kind: str) -> dict[str, float]:
    return {name: m["per_unit"].get(kind, 0.0) for name, m in measured.items()}
