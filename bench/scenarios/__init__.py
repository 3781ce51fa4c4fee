"""The scenarios of issue 6, in the order they run: each has `TITLE`, `run(bench)` returning
its raw results, and `rows(results)` turning them into lines of the report."""

from . import broadcast, growth, handshake, roundtrip, scale, tasks

SCENARIOS = {
    "handshake": handshake,
    "roundtrip": roundtrip,
    "broadcast": broadcast,
    "scale": scale,
    "celery": tasks,
    "growth": growth,
}
