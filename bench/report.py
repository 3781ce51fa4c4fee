"""The run's outputs: the table on the terminal, the raw JSON, the PNG chart, the doc.

`docs/benchmarks.md` is generated whole from the results, so rerunning the command is how it
is updated; nothing in it is edited by hand.
"""

import json
import math
import os
import platform
import subprocess
import tomllib
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import psycopg
import redis

from scenarios.common import Row
from servers import VARIANTS

CHART_MAX_RATIO = 3.0
PACKAGES = (
    "django",
    "channels",
    "channels-redis",
    "django-tenants",
    "psycopg",
    "asgiref",
    "uvicorn",
    "websockets",
    "celery",
    "kombu",
    "redis",
)


# Facts about the run ----------------------------------------------------------------------------


def _proc_lines(name: str, prefix: str) -> list[str]:
    """The values of the `prefix: value` lines of /proc/<name>."""
    path = Path("/proc") / name
    lines = path.read_text().splitlines() if path.exists() else []
    return [line.split(":", 1)[1].strip() for line in lines if line.startswith(prefix)]


def machine() -> dict:
    models = _proc_lines("cpuinfo", "model name")
    total_kb = int((_proc_lines("meminfo", "MemTotal") or ["0 kB"])[0].split()[0])
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(total_kb / 1024**2, 1),
        "cpu_model": models[0] if models else platform.processor(),
        "kernel": platform.release(),
    }


def versions(database_url: str, redis_url: str) -> dict:
    with psycopg.connect(database_url) as connection:
        postgres = connection.execute("SHOW server_version").fetchone()[0]
    found = {"python": platform.python_version(), "postgresql": postgres}
    found["redis-server"] = redis.Redis.from_url(redis_url).info("server")["redis_version"]
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def pin_mismatches(pyproject: Path) -> list[str]:
    """The baked project's pinned dependencies that this interpreter has at another version:
    the bench runs the bake with this interpreter's packages, so say when they differ."""
    project = tomllib.loads(pyproject.read_text())["project"]
    found = []
    for requirement in project["dependencies"]:
        name, _, pinned = requirement.partition("==")
        name = name.split("[")[0]
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if pinned and installed != pinned:
            found.append(f"{name} {installed} (the project pins {pinned})")
    return found


def template_revision(template: Path) -> str:
    def git(*args: str) -> str:
        command = ["git", "-C", str(template), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # Changes to tracked files of the template, not the bench's own files and outputs.
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench", ":!docs")
    return commit + (" + uncommitted changes" if changed else "")


# Formatting --------------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"


def _met(row: Row) -> str:
    return {True: "met", False: "**missed**", None: ""}[row.met] if row.target else ""


def table(rows: list[Row], variants: list[str]) -> str:
    """The results as a Markdown table: a column per variant, the ratio, the target."""
    header = ["scenario", "metric", *(VARIANTS[v].label for v in variants), "ratio"]
    lines = ["| " + " | ".join([*header, "target", ""]) + " |"]
    lines.append("|" + "---|" * (len(header) + 2))
    for row in rows:
        unit = f" ({row.unit})" if row.unit else ""
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else ""
        cells = [row.scenario, row.metric + unit, *(_cell(row.values.get(v)) for v in variants)]
        lines.append("| " + " | ".join([*cells, ratio, row.target, _met(row)]) + " |")
    return "\n".join(lines)


def missed(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.target and row.met is False]


# Files -------------------------------------------------------------------------------------------


def write_json(path: Path, meta: dict, results: dict, rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"meta": meta, "rows": [asdict(row) for row in rows], "results": results}
    path.write_text(json.dumps(document, indent=1, default=str) + "\n")


def write_chart(path: Path, rows: list[Row], growth: dict | None) -> bool:
    """Ratios against the floor (left) and the growth curve (right); False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display on a server
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    ratios = [row for row in rows if row.ratio is not None and row.scenario != "Growth"]
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(14, max(4, 0.38 * len(ratios) + 1.5)), width_ratios=(3, 2)
    )
    colours = {True: "tab:green", False: "tab:red", None: "tab:gray"}
    labels = [f"{row.scenario}: {row.metric}" for row in ratios]
    clipped = [min(row.ratio, CHART_MAX_RATIO) for row in ratios]  # one outlier hides the rest
    left.barh(labels, clipped, color=[colours[row.met] for row in ratios])
    for position, (row, length) in enumerate(zip(ratios, clipped, strict=True)):
        left.text(length + 0.03, position, f"{row.ratio:.2f}×", va="center", fontsize=7)
    left.axvline(1.0, color="black", linewidth=0.8)
    left.set_xlim(0, CHART_MAX_RATIO + 0.4)
    left.invert_yaxis()
    left.set_xlabel("ratio (green: target met, red: missed, grey: no target)")
    left.tick_params(axis="y", labelsize=8)
    if growth:
        for name in ("tenant", "floor", "naive"):
            points = [
                (step["tenants"], step["handshake"][name]["p50_ms"])
                for step in growth["steps"]
                if name in step["handshake"]
            ]
            if points:
                right.plot(*zip(*points, strict=True), marker="o", label=VARIANTS[name].label)
        right.set_xscale("log")
        right.set_xlabel("tenants")
        right.set_ylabel("warm handshake p50 (ms)")
        right.set_ylim(bottom=0)
        right.legend()
        right.set_title("Growth")
    else:
        right.axis("off")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


# What profiling (`bench/profile.py`) found: the causes behind the rows, which every run shows.
WHERE_THE_TIME_GOES = [
    "## Where the time goes",
    "",
    "Found by profiling the servers (`bench/profile.py`) and fixed, since they were ours:",
    "",
    "- Each frame re-resolved its handshake through `database_sync_to_async` and a Redis GET,",
    "  each warm handshake took a hop to the database thread, and each tenant task read Redis",
    "  before it started. Lookups are now answered from each process' memory (the Growth rows",
    '  "from memory"), on the event loop, kept coherent by a Redis pub/sub invalidation',
    "  channel; only a cold lookup leaves the loop.",
    "- The lookup cache used `django.core.cache.cache`, which is per asyncio context: one",
    "  Redis connection per socket, for life. One client per process now (the Scale row",
    '  "Redis clients per socket").',
    "",
    "The stack's, and not removed:",
    "",
    "- Switching schemas costs a statement. When a connection's next query belongs to another",
    "  tenant, the backend first sets `search_path` (checking the schema still exists): one",
    "  round trip the floor, with one schema, never makes. It shows wherever tenants",
    "  interleave on a connection: handshakes over 50 tenants (3 statements against 2), round",
    "  trips over 10 tenants (`SET search_path` per message: 1.00), the Celery read task over",
    "  10 tenants. Where no switch is needed (one tenant, the no-op task) the stack is at the",
    "  floor within noise; pooled connections keep their path, so a checkout for the same",
    "  tenant pays nothing.",
    "- Channels (4.2 and later) runs `close_old_connections` through the database thread",
    "  before every consumer message, in every variant: that hop is in the floor too.",
    "- Pooled tenant ÷ unpooled floor (issue 8's ≤ 0.40×) divides by what connecting costs:",
    "  the floor's own pooled ÷ unpooled handshake is about the same ratio, so what decides it",
    "  is the work a handshake does besides connecting, not the tenancy.",
    "- On two shared cores the same build's handshake ratios vary by about ±15 % from run to",
    "  run, and absolute figures with the machine's load: compare ratios within one run, and",
    "  read a ratio that close to its target as no measured difference.",
]


def write_doc(path: Path, meta: dict, rows: list[Row], chart: Path | None) -> None:
    variants = meta["variants"]
    m, v = meta["machine"], meta["versions"]
    missed_rows = missed(rows)
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by `python bench/run.py`; rerun it to update this page. -->",
        "",
        "What the tenancy layer costs: the generated project's tenant stack against the same",
        "work on plain Channels (the floor) and against the naive django-tenants recipe,",
        "measured side by side in one run on one machine. How to run it and what each scenario",
        "does: [`bench/README.md`](../bench/README.md). Raw numbers:",
        "[`bench/results/latest.json`](../bench/results/latest.json).",
        "",
        f"- **Date**: {meta['date']} (run took {meta['seconds'] / 60:.1f} min"
        + (", quick mode" if meta["quick"] else "")
        + ")",
        f"- **Machine**: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, "
        f"Linux {m['kernel']}",
        f"- **Load**: 1-minute load average {meta['load_average']['start']:.1f} at the start, "
        f"{meta['load_average']['end']:.1f} at the end (other work on the machine shows here)",
        f"- **Template**: {meta['template']}, default bake",
        "- **Versions**: " + ", ".join(f"{name} {version}" for name, version in v.items()),
        "- **Variants**: "
        + "; ".join(f"{VARIANTS[name].label} (`{VARIANTS[name].app}`)" for name in variants),
        "",
        "## Results",
        "",
        "Ratios are tenant stack ÷ plain Channels (for Celery: ÷ the plain task) unless the",
        "metric names other variants; for latencies and time per task lower is better, for",
        "rates higher is better. Unmarked rows have no target: they explain the others.",
        "",
        table(rows, variants),
        "",
    ]
    if chart is not None:
        lines += [f"![ratios and growth]({os.path.relpath(chart, path.parent)})", ""]
    lines += ["## Targets missed", ""]
    lines += [
        f"- {row.scenario}: {row.metric} — {row.ratio:.2f}× against {row.target}"
        if row.ratio is not None
        else f"- {row.scenario}: {row.metric} — target {row.target}"
        for row in missed_rows
    ] or ["None in this run."]
    lines += ["", *WHERE_THE_TIME_GOES]
    if meta.get("pin_mismatches"):
        lines += ["", "## Packages not at the project's pins", ""]
        lines += [f"- {mismatch}" for mismatch in meta["pin_mismatches"]]
    if meta.get("errors"):
        lines += ["", "## Scenarios that failed", ""]
        lines += [f"- {name}: {error}" for name, error in meta["errors"].items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
