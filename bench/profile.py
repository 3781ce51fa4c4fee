"""Profile a bench server under one workload with py-spy, and say where the time goes.

    python bench/profile.py roundtrip            # the tenant stack and the floor
    python bench/profile.py handshake --seconds 20 --variants tenant

Sets up like `run.py` (bake, database, 50 tenants), then per variant starts a server, drives it
with the load generator for `--seconds`, and meanwhile samples it with `py-spy record`
(attached, non-blocking, busy threads only). Writes the collapsed stacks to
bench/results/profile-<workload>-<variant>.txt and prints, per variant, the share of samples
spent in the project's tenancy layer by function (inclusive), and the hottest functions of
all (self time). Not part of the timed run: sampling slows the server it watches.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections import Counter
from pathlib import Path

import servers
from scenarios.common import hosts

RESULTS_DIR = servers.BENCH_DIR / "results"
WORKLOADS = {
    "handshake": {"kind": "handshakes", "hosts": hosts(50), "warmup": 50, "concurrency": 8},
    "roundtrip": {"kind": "roundtrips", "hosts": hosts(10)},
    # Sampled only once its 2,000 sockets are connected: the rounds, not the handshakes.
    "broadcast": {
        "kind": "broadcast",
        "group_host": hosts(1)[0],
        "group_sockets": 1000,
        "other_hosts": hosts(20, first=1),
        "other_sockets": 1000,
        "connect_concurrency": 16,
        "rounds": 10**6,
        "round_timeout": 15,
        "pause": 0.2,
    },
}
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::\d+)?\)$")
OURS = ("/tenancy/", "/items/")  # the baked project's code on the measured path


def profile(run: servers.Run, variant: str, workload: str, seconds: int) -> Path:
    job = {**WORKLOADS[workload], "count": 10**6, "messages": 10**6}
    sockets = job.get("group_sockets", 0) + job.get("other_sockets", 0)
    job["seconds"] = seconds + 3 + sockets / 50  # 50 handshakes/s is slower than any variant
    output = RESULTS_DIR / f"profile-{workload}-{variant}.txt"
    with servers.server(run, servers.VARIANTS[variant]) as server:
        job["port"] = server.port
        load = threading.Thread(target=run.client, args=(job, job["seconds"] + 60))
        load.start()
        servers.wait_until(lambda: open_sockets(server.port) >= sockets, job["seconds"], "sockets")
        command = [
            *(py_spy(), "record", "--pid", str(server.pid)),
            *("--duration", str(seconds), "--rate", "100", "--nonblocking"),
            *("--format", "raw", "--output", str(output)),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=seconds + 60)
        load.join(timeout=job["seconds"] + 90)
    return output


def open_sockets(port: int) -> int:
    url = f"http://{servers.LOOPBACK}:{port}{servers.STATS_PATH}"
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)["websockets"]


def py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"  # pip puts the binary beside the interpreter
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if not found:
        sys.exit("py-spy is not installed: pip install -r bench/requirements.txt")
    return found


def frames(line: str) -> tuple[list[tuple[str, str]], int]:
    stack, _, count = line.rpartition(" ")
    parsed = [FRAME.match(frame) for frame in stack.split(";")]
    return [(m["file"], m["function"]) for m in parsed if m], int(count)


def summarize(path: Path) -> str:
    inclusive, own = Counter(), Counter()
    total = 0
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        stack, count = frames(line)
        total += count
        for frame in set(stack):
            inclusive[frame] += count
        if stack:
            own[stack[-1]] += count

    def share(counter: Counter, frame) -> str:
        file, function = frame
        short = "/".join(Path(file).parts[-3:])
        return f"  {counter[frame] / total:6.1%}  {short}:{function}"

    ours = [f for f, _ in inclusive.most_common() if any(part in f[0] for part in OURS)]
    lines = [f"{path.name}: {total} samples of busy threads"]
    lines += ["tenancy layer and demo app, inclusive:"] + [share(inclusive, f) for f in ours[:20]]
    lines += ["hottest functions, self:"] + [share(own, f) for f, _ in own.most_common(15)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", choices=WORKLOADS)
    parser.add_argument("--variants", default="tenant,floor")
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    servers.raise_fd_limit()
    RESULTS_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as workdir:
        run = servers.Run(
            Path(workdir), "postgres://postgres@127.0.0.1:5432/postgres", "redis://127.0.0.1:6379/0"
        )
        run.bake()
        try:
            with run.database():
                run.setup("prepare")
                run.setup("tenants", "50")
                for variant in args.variants.split(","):
                    print(summarize(profile(run, variant, args.workload, args.seconds)), flush=True)
        finally:
            run.forget_redis_keys()
    return 0


if __name__ == "__main__":
    sys.exit(main())
