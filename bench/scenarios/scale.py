"""4. Scale: idle sockets held by one server process, and what each costs in memory.

Sockets of 50 tenants are opened up to 1,000, 5,000, then 10,000 and held; at each step,
after a short settle, the server's RSS. KB per socket is (RSS - RSS before the first socket)
/ sockets held. Each variant gets a fresh server. A step not reached within the job's time
(handshakes are paced by the server's single database thread) ends the job, and so does a
shared Redis about to run out of client slots (see `client.hold`): the highest count held
is reported, and why.
"""

from .common import Bench, Row, hosts

# Expected seconds on 2 cores (full, quick): run.py skips what would overrun its budget.
# Scale needs at least this; its jobs then take what is left.
SECONDS = (120, 25)
TITLE = "Scale"
VARIANTS = ["tenant", "floor"]
TENANTS = 50


def run(bench: Bench) -> dict:
    bench.ensure_tenants(TENANTS)
    steps = bench.size([1000, 5000, 10000], [100, 200, 400])
    job = {
        "kind": "hold",
        "hosts": hosts(TENANTS),
        "steps": steps,
        "connect_concurrency": 16,
        "settle": bench.size(3, 1),
        "redis_url": bench.run.redis_url,
    }
    results = {}
    for index, name in enumerate(VARIANTS):
        # What is left of the run's budget, shared by the variants still to go.
        share = (bench.remaining() - 20) / (len(VARIANTS) - index)
        with bench.servers([name]) as ports:
            seconds = min(bench.size(150, 40), max(share - 15, 10))
            results[name] = bench.client({**job, "port": ports[name]}, seconds)
    return {"steps": steps, "measured": results}


def rows(result: dict) -> list[Row]:
    measured = result["measured"]
    goal = result["steps"][-1]
    held = {name: max((s["held"] for s in m["steps"]), default=0) for name, m in measured.items()}
    out = [
        Row(
            TITLE,
            "sockets held by one process",
            "",
            held,
            target=f"{goal:,} held",
            met=held.get("tenant", 0) >= goal,
            compare=False,
        ),
        Row(
            TITLE,
            "why fewer were held",
            "",
            {name: m["stopped"] or "" for name, m in measured.items()},
            compare=False,
        ),
    ]
    for index, step in enumerate(result["steps"]):
        values = {name: _memory(m["steps"], index) for name, m in measured.items()}
        out.append(Row(TITLE, f"memory per idle socket at {step:,}", "KB", values))
    # Why a step is not reached, and what the memory is: what each socket holds.
    for key, label, compare in (
        ("objects_per_socket", "objects tracked by the GC", True),
        ("server_fds", "server descriptors", True),
        ("redis_clients", "Redis clients (all of this Redis')", False),
    ):
        values = {name: _per_socket(m["steps"], key) for name, m in measured.items()}
        row = Row(TITLE, f"{label} per socket held, last step", "", values, compare=compare)
        out.append(row)
    return out


def _memory(steps: list[dict], index: int) -> float | str | None:
    """KB per socket at step `index`; said with the count held when the step fell short."""
    if index >= len(steps):
        return None
    step = steps[index]
    if step["held"] < step["target"]:
        return f"{step['kb_per_socket']:.2f} at {step['held']:,}"
    return step["kb_per_socket"]


def _per_socket(steps: list[dict], key: str) -> float | None:
    last = steps[-1] if steps else None
    if not last or not last["held"]:
        return None
    return last[key] if key.endswith("_per_socket") else last[key] / last["held"]
