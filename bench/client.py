"""The load generator: a process of its own, asyncio and the `websockets` client.

    python bench/client.py < job.json > result.json

A job names a server (`port`), the hosts to address (one per tenant: every variant resolves
its tenant, or its room, from the Host header) and what to measure. The client does not know
which variant it talks to: the same job runs against each. It reads the server's statement
counts and RSS from the stats endpoint that every bench server has (`benchsite.counting`),
resetting them when its measured window starts. Every wait has a timeout and every job a
deadline, after which it reports what it measured so far.
"""

import asyncio
import contextlib
import gc
import itertools
import json
import resource
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable

import redis.asyncio
from websockets.asyncio.client import ClientConnection, connect

STATS_PATH = "/__bench__/stats"
FRAME_TIMEOUT = 10.0
CHUNK = 500  # sockets opened between two checks of Redis' free client slots
REDIS_RESERVE = 1000


async def redis_clients(url: str) -> tuple[int, int]:
    """Clients connected to Redis now (every process's, not only the bench's), and the most
    it accepts."""
    client = redis.asyncio.Redis.from_url(url)
    try:
        info = await client.info("clients")
        return info["connected_clients"], info["maxclients"]
    finally:
        await client.aclose()


def rounded(seconds: list[float]) -> list[float]:
    return [round(value, 6) for value in seconds]


async def server_stats(port: int, reset: bool = False, objects: bool = False) -> dict:
    query = "&".join(name for name, on in (("reset=1", reset), ("objects=1", objects)) if on)
    url = f"http://127.0.0.1:{port}{STATS_PATH}?{query}"

    def fetch() -> dict:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)

    return await asyncio.to_thread(fetch)


async def open_socket(port: int, host: str) -> ClientConnection:
    """A demo socket of `host`'s tenant, its initial `items` frame read.

    Like a browser: the page's Origin, per-message deflate offered. No keepalive pings from
    the client (the server's own pings stay on, as deployed).
    """
    socket = await connect(
        f"ws://{host}:{port}/ws/items/",
        host="127.0.0.1",
        port=port,
        origin=f"http://{host}:{port}",  # the page it came from, port included
        proxy=None,
        ping_interval=None,
        open_timeout=FRAME_TIMEOUT,
        close_timeout=2,
        max_queue=None,  # broadcasts must not stall a socket's reader behind a full queue
    )
    try:
        first = json.loads(await asyncio.wait_for(socket.recv(), FRAME_TIMEOUT))
    except BaseException:
        await socket.close()
        raise
    if first.get("type") != "items":
        await socket.close()
        raise RuntimeError(f"unexpected first frame: {first}")
    return socket


class Errors:
    """Failures of a job: counted, the first few kept for the report."""

    def __init__(self) -> None:
        self.count = 0
        self.first: list[str] = []

    def add(self, error: BaseException) -> None:
        self.count += 1
        if len(self.first) < 3:
            self.first.append(f"{type(error).__name__}: {error}")

    def as_dict(self) -> dict:
        return {"errors": self.count, "first_errors": self.first}


async def run_workers(
    count: int, concurrency: int, deadline: float, work: Callable[[int], Awaitable[None]]
) -> tuple[int, float, Errors]:
    """Run `work(i)` for i in range(count), `concurrency` at a time, until done or `deadline`
    (a monotonic time); returns how many succeeded, the wall time and the failures."""
    numbers = iter(range(count))
    done = 0
    errors = Errors()

    async def worker() -> None:
        nonlocal done
        for number in numbers:
            if time.monotonic() > deadline:
                return
            try:
                await work(number)
                done += 1
            except Exception as error:  # a failed handshake or frame is data, not a crash
                errors.add(error)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, time.perf_counter() - started, errors


async def connect_many(
    port: int, hosts: list[str], count: int, concurrency: int, deadline: float
) -> tuple[list[ClientConnection], float, Errors]:
    """`count` sockets, cycling over `hosts`, opened `concurrency` at a time."""
    sockets: list[ClientConnection] = []

    async def open_one(number: int) -> None:
        sockets.append(await open_socket(port, hosts[number % len(hosts)]))

    _done, seconds, errors = await run_workers(count, concurrency, deadline, open_one)
    return sockets, seconds, errors


async def close_all(sockets: list[ClientConnection]) -> None:
    for start in range(0, len(sockets), 500):  # in slices: 10k simultaneous closes stall both
        await asyncio.gather(*(s.close() for s in sockets[start : start + 500]))


# Jobs ------------------------------------------------------------------------------------------


async def handshakes(job: dict, deadline: float) -> dict:
    """Open and close sockets; latency is connect until the initial frame has arrived.

    Not measured: a first handshake to each of the first `warmup` hosts, so their lookups are
    cached and the server has imported and allocated what every handshake reuses.
    """
    port, hosts = job["port"], job["hosts"]
    for host in hosts[: job["warmup"]]:
        await (await open_socket(port, host)).close()
    await server_stats(port, reset=True)
    latencies: list[float] = []

    async def handshake(number: int) -> None:
        started = time.perf_counter()
        socket = await open_socket(port, hosts[number % len(hosts)])
        latencies.append(time.perf_counter() - started)
        await socket.close()

    done, seconds, errors = await run_workers(job["count"], job["concurrency"], deadline, handshake)
    stats = await server_stats(port)
    return {
        "handshakes": done,
        "seconds": seconds,
        "per_second": done / seconds if seconds else 0,
        "samples": rounded(latencies),
        "server": stats,
        **errors.as_dict(),
    }


async def roundtrips(job: dict, deadline: float) -> dict:
    """One socket per host; each sends `item.create` and waits for its `item.created` echo,
    `messages` times; all sockets at once. Only the sender is in its tenant's group."""
    port, hosts = job["port"], job["hosts"]
    sockets, _seconds, connect_errors = await connect_many(port, hosts, len(hosts), 1, deadline)
    await server_stats(port, reset=True)
    latencies: list[float] = []
    counter = itertools.count()

    async def roundtrip(number: int) -> None:
        socket = sockets[number % len(sockets)]
        text = f"m{next(counter)}"
        started = time.perf_counter()
        await socket.send(json.dumps({"type": "item.create", "text": text}))
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), FRAME_TIMEOUT))
            if frame.get("type") == "item.created" and frame["item"]["text"] == text:
                break
        latencies.append(time.perf_counter() - started)

    async def socket_loop(index: int) -> None:
        # One loop per socket: a socket never has two frames in flight.
        for _ in range(job["messages"]):
            if time.monotonic() > deadline:
                return
            await roundtrip(index)

    _done, seconds, errors = await run_workers(len(sockets), len(sockets), deadline, socket_loop)
    stats = await server_stats(port)
    await close_all(sockets)
    messages = len(latencies)
    return {
        "sockets": len(sockets),
        "messages": messages,
        "seconds": seconds,
        "per_second": messages / seconds if seconds else 0,
        "samples": rounded(latencies),
        "server": stats,
        **errors.as_dict(),
        "connect_errors": connect_errors.count,
    }


class Audience:
    """One server's sockets for the broadcast job: a tenant's group and other tenants' sockets,
    each read by a task that notes when a round's `item.created` frame arrives."""

    def __init__(self, port: int):
        self.port = port
        self.group: list[ClientConnection] = []
        self.others: list[ClientConnection] = []
        self.arrivals: dict[str, list[float]] = {}
        self.complete: dict[str, asyncio.Event] = {}
        self.cross = 0
        self.errors = Errors()
        self.readers: list[asyncio.Task] = []
        self.rounds: list[float | None] = []
        self.delivered: list[int] = []
        self.first: list[float | None] = []  # until the first group socket has the frame

    async def connect(self, job: dict, deadline: float) -> None:
        concurrency = job["connect_concurrency"]
        for sockets, targets, count in (
            (self.group, [job["group_host"]], job["group_sockets"]),
            (self.others, job["other_hosts"], job["other_sockets"]),
        ):
            opened, _seconds, errors = await connect_many(
                self.port, targets, count, concurrency, deadline
            )
            sockets += opened
            self.errors.count += errors.count
            self.errors.first += errors.first
        self.readers = [asyncio.create_task(self.read(s, True)) for s in self.group]
        self.readers += [asyncio.create_task(self.read(s, False)) for s in self.others]

    async def read(self, socket: ClientConnection, in_group: bool) -> None:
        async for raw in socket:
            frame = json.loads(raw)
            if frame.get("type") != "item.created":
                continue
            if not in_group:
                self.cross += 1
                continue
            text = frame["item"]["text"]
            self.arrivals.setdefault(text, []).append(time.perf_counter())
            if len(self.arrivals[text]) == len(self.group):
                self.complete[text].set()

    async def round(self, text: str, timeout: float) -> None:
        """One group socket sends; the time until every group socket has the frame."""
        self.complete[text] = asyncio.Event()
        started = time.perf_counter()
        await self.group[0].send(json.dumps({"type": "item.create", "text": text}))
        with contextlib.suppress(TimeoutError):  # a short round is reported, not fatal
            await asyncio.wait_for(self.complete[text].wait(), timeout)
        got = self.arrivals.get(text, [])
        self.delivered.append(len(got))
        self.rounds.append(max(got) - started if len(got) == len(self.group) else None)
        self.first.append(min(got) - started if got else None)

    async def close(self) -> dict:
        stats = await server_stats(self.port)
        for reader in self.readers:
            reader.cancel()
        await close_all(self.group + self.others)
        finished = sorted(seconds for seconds in self.rounds if seconds is not None)
        median = finished[len(finished) // 2] if finished else None
        return {
            "group_sockets": len(self.group),
            "other_sockets": len(self.others),
            "rounds_seconds": self.rounds,
            "first_seconds": self.first,
            "delivered": self.delivered,
            "median_seconds": median,
            "deliveries_per_second": len(self.group) / median if median else None,
            "cross_tenant_deliveries": self.cross,
            "server": stats,
            **self.errors.as_dict(),
        }


async def broadcast(job: dict, deadline: float) -> dict:
    """Broadcast rounds on every server of `ports` (name -> port), alternating between them
    round by round, so a slow moment of the machine falls on every server alike."""
    audiences = {name: Audience(port) for name, port in job["ports"].items()}
    for audience in audiences.values():
        await audience.connect(job, deadline)
    # The client's own full collections over thousands of sockets took ~0.3 s, every other
    # round: frozen objects are not scanned, so the rounds time the servers, not this process.
    gc.freeze()
    for audience in audiences.values():
        await server_stats(audience.port, reset=True)  # the rounds' window starts
    order = list(audiences.values())
    for number in range(job["rounds"]):
        if time.monotonic() > deadline:
            break
        for audience in order[number % len(order) :] + order[: number % len(order)]:
            await audience.round(f"b{number}", job["round_timeout"])
            await asyncio.sleep(job["pause"])
    await asyncio.sleep(job["pause"])  # let any stray cross-tenant frame arrive before counting
    return {name: await audience.close() for name, audience in audiences.items()}


async def hold(job: dict, deadline: float) -> dict:
    """Open sockets up to each of `steps` and hold them; at each step, what the server holds
    per socket: memory, objects the GC tracks, descriptors, and Redis clients.

    Sockets are opened `CHUNK` at a time, and no more once Redis would be left with fewer than
    `REDIS_RESERVE` free client slots: the machine's Redis is shared, and a variant that holds
    a Redis connection per socket must not starve everyone else of it.
    """
    port, hosts = job["port"], job["hosts"]
    for host in hosts:  # the first handshakes import and allocate what every later one reuses
        await (await open_socket(port, host)).close()
    await asyncio.sleep(job["settle"])
    before = await server_stats(port, objects=True)
    sockets: list[ClientConnection] = []
    steps, stopped = [], None
    errors = Errors()
    for target in job["steps"]:
        started = time.perf_counter()
        while len(sockets) < target and not stopped:
            clients, most = await redis_clients(job["redis_url"])
            chunk = min(CHUNK, target - len(sockets))
            if clients + chunk > most - REDIS_RESERVE:
                stopped = f"Redis: {clients} of its {most} clients connected"
                break
            if time.monotonic() > deadline:
                stopped = "out of time"
                break
            more, _seconds, chunk_errors = await connect_many(
                port, hosts, chunk, job["connect_concurrency"], deadline
            )
            sockets += more
            errors.count += chunk_errors.count
            errors.first += chunk_errors.first[: 3 - len(errors.first)]
        seconds = time.perf_counter() - started
        await asyncio.sleep(job["settle"])
        stats = await server_stats(port, objects=True)
        held = len(sockets)
        steps.append(
            {
                "target": target,
                "held": held,
                "connect_seconds": seconds,
                "rss_kb": stats["rss_kb"],
                "kb_per_socket": (stats["rss_kb"] - before["rss_kb"]) / held if held else None,
                "objects_per_socket": (stats["gc_objects"] - before["gc_objects"]) / held
                if held
                else None,
                "server_fds": stats["fds"],
                "redis_clients": (await redis_clients(job["redis_url"]))[0],
            }
        )
        if held < target:  # stopped, or refused: higher steps cannot be reached
            stopped = stopped or f"{errors.count} handshakes failed"
            break
    alive = sum(1 for s in sockets if s.state.name == "OPEN")
    await close_all(sockets)
    return {
        "before": before,
        "steps": steps,
        "stopped": stopped,
        "alive_at_end": alive,
        **errors.as_dict(),
    }


JOBS = {"handshakes": handshakes, "roundtrips": roundtrips, "broadcast": broadcast, "hold": hold}


async def main() -> dict:
    job = json.load(sys.stdin)
    deadline = time.monotonic() + job["seconds"]
    return await JOBS[job["kind"]](job, deadline)


if __name__ == "__main__":
    # 10,000 sockets need 10,000 descriptors here as in the server.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(json.dumps(asyncio.run(main())))
