"""Benchmark the generated project's tenancy layer against plain Channels and the naive recipe.

    python bench/run.py            # the full run (< 10 minutes on 2 cores)
    python bench/run.py --quick    # every scenario, small (< 2 minutes): a smoke test

Bakes the default project into a temporary directory, gives it a database of its own, starts
real uvicorn (and Celery) processes of it, drives them from a load generator in another
process, and writes bench/results/, plus docs/benchmarks.md for a full run. See README.md.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import report
import servers
from scenarios import SCENARIOS
from scenarios.common import Bench

RESULTS_DIR = servers.BENCH_DIR / "results"
DOC = servers.TEMPLATE_DIR / "docs" / "benchmarks.md"
DEFAULT_VARIANTS = ["tenant", "floor", "tenant_nopool", "floor_nopool", "naive"]
# Growth first: its "1 tenant" step needs a database with (almost) no other tenants.
# Scale last: it is the longest, and its jobs shrink to what is left of the budget.
RUN_ORDER = ["growth", "handshake", "roundtrip", "celery", "broadcast", "scale"]
# Seconds for the scenarios (full, quick): the whole run stays under 10 (2) minutes.
BUDGET = (570, 110)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument(
        "--only", help=f"comma-separated scenarios to run, of: {','.join(SCENARIOS)}"
    )
    parser.add_argument(
        "--variants",
        default=",".join(DEFAULT_VARIANTS),
        help=f"comma-separated, of: {','.join(servers.VARIANTS)} (tenant and floor required)",
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--template",
        type=Path,
        default=servers.TEMPLATE_DIR,
        help="bake this template instead of this repository (to compare a change)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bake and its logs")
    parser.add_argument(
        "--budget", type=float, help=f"seconds the scenarios may take in all (default {BUDGET})"
    )
    parser.add_argument(
        "--doc",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="regenerate docs/benchmarks.md (default: for a full run of every scenario)",
    )
    return parser.parse_args()


def run_scenarios(bench: Bench, names: list[str]) -> tuple[dict, dict, dict]:
    """Run each scenario; one that fails, or would overrun the budget, is reported and the
    others still run."""
    results, errors, durations = {}, {}, {}
    for name in [n for n in RUN_ORDER if n in names]:
        expected = bench.size(*SCENARIOS[name].SECONDS)
        if expected > bench.remaining():
            errors[name] = f"skipped: {expected} s expected, {bench.remaining():.0f} s left"
            print(f"-- {name}: {errors[name]}", flush=True)
            continue
        print(f"-- {name}", flush=True)
        started = time.monotonic()
        try:
            results[name] = SCENARIOS[name].run(bench)
        except Exception as error:  # noqa: BLE001  the report says which scenario failed, and why
            traceback.print_exc()
            first_line = (str(error).splitlines() or [""])[0]
            errors[name] = f"{type(error).__name__}: {first_line}"
        durations[name] = round(time.monotonic() - started, 1)
        print(f"   {durations[name]} s", flush=True)
    return results, errors, durations


def main() -> int:
    args = arguments()
    variants = args.variants.split(",")
    unknown = [v for v in variants if v not in servers.VARIANTS]
    if unknown or not {"tenant", "floor"} <= set(variants):
        sys.exit(f"--variants: unknown {unknown} or tenant/floor missing")
    names = args.only.split(",") if args.only else list(SCENARIOS)
    if unknown := [n for n in names if n not in SCENARIOS]:
        sys.exit(f"--only: unknown scenarios {unknown}")
    default_run = not (args.quick or args.only or args.template != servers.TEMPLATE_DIR)
    write_doc = args.doc if args.doc is not None else default_run

    print(f"descriptor limit: {servers.raise_fd_limit()}")
    started, load_at_start = time.monotonic(), os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    run = servers.Run(workdir, args.database_url, args.redis_url, args.template.resolve())
    failed = True
    try:
        project = run.bake()
        print(f"baked into {project}", flush=True)
        mismatches = report.pin_mismatches(project / "pyproject.toml")
        for mismatch in mismatches:
            print(f"warning: {mismatch}")
        with run.database():
            run.setup("prepare")
            budget = args.budget or BUDGET[args.quick]
            bench = Bench(run, args.quick, variants, deadline=started + budget)
            results, errors, durations = run_scenarios(bench, names)
            meta = {
                "date": report.now(),
                "quick": args.quick,
                "variants": variants,
                "machine": report.machine(),
                "versions": report.versions(run.database_url, run.redis_url),
                "template": report.template_revision(run.template),
                "pin_mismatches": mismatches,
                "durations": durations,
                "errors": errors,
                # Other work on the machine skews every figure: say how busy it was.
                "load_average": {"start": load_at_start, "end": os.getloadavg()[0]},
            }
        meta["seconds"] = time.monotonic() - started
        rows = [
            row
            for name, scenario in SCENARIOS.items()
            if name in results
            for row in scenario.rows(results[name])
        ]
        print(report.table(rows, variants))
        # latest.* is the record of a default full run; anything else must not overwrite it.
        stem = "latest" if default_run else "quick" if args.quick else "partial"
        report.write_json(RESULTS_DIR / f"{stem}.json", meta, results, rows)
        chart = RESULTS_DIR / f"{stem}.png"
        if not report.write_chart(chart, rows, results.get("growth")):
            print("matplotlib is not installed: no chart (pip install -r bench/requirements.txt)")
            chart = None
        if write_doc:
            report.write_doc(DOC, meta, rows, chart)
            print(f"wrote {DOC}")
        for row in report.missed(rows):
            print(f"target missed: {row.scenario}: {row.metric} ({row.target})")
        print(f"{meta['seconds']:.0f} s; results in {RESULTS_DIR}")
        failed = bool(errors)
    finally:
        run.forget_redis_keys()
        if args.keep or failed:
            print(f"bake and logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
