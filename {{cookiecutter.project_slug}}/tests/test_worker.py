"""A real Celery worker process, against the real broker: tenants travel and never mix."""

import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from asgiref.sync import sync_to_async
from celery import chain
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client as HttpClient
from django_tenants.utils import tenant_context

from {{ cookiecutter.project_slug }}.items.models import Item

from .celery_tasks import create_item, create_item_after_a_retry
from .conftest import (
    PROJECT_DIR,
    create_tenant,
    environment_of_this_run,
    http_kwargs,
    open_socket,
    require_server,
    unique_schema_name,
    wait_for,
)

DEFAULT_PORT = {% if cookiecutter.celery_broker == "redis" %}6379{% else %}5672{% endif %}
QUIET = 0.5


class Worker:
    """`celery worker` in a process of its own, on this run's database and queue."""

    def __init__(self, log: Path):
        self.log = log
        command = [
            *(sys.executable, "-m", "celery", "-A", "config.celery", "worker"),
            *("--pool=solo", "--loglevel=INFO", "--without-mingle", "--without-gossip"),
            *("--queues", settings.CELERY_TASK_DEFAULT_QUEUE),
        ]
        with log.open("w") as output:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=environment_of_this_run(),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_for(self.ready, 60, f"the worker to start (log: {log})")

    def output(self) -> str:
        return self.log.read_text()

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{self.output()}")
        return " ready." in self.output()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


@pytest.fixture(scope="module")
def worker(tmp_path_factory) -> Iterator[Worker]:
    broker = urlsplit(settings.CELERY_BROKER_URL)
    if broker.hostname:  # an embedded Redis is a Unix socket, always there
        require_server("The Celery broker", broker.hostname, broker.port or DEFAULT_PORT)
    process = Worker(tmp_path_factory.mktemp("worker") / "worker.log")
    try:
        yield process
    finally:
        process.stop()


def texts_in(tenant) -> list[str]:
    with tenant_context(tenant):
        return sorted(Item.objects.values_list("text", flat=True))


def test_a_task_sent_in_tenant_context_runs_in_that_tenant(worker, tenant_a, tenant_b):
    with tenant_context(tenant_a):
        create_item.delay("from tenant_context")
    wait_for(lambda: texts_in(tenant_a) == ["from tenant_context"], 20, "the task")
    assert texts_in(tenant_b) == []


def test_retries_and_chains_keep_the_tenant(worker, tenant_a, tenant_b):
    with tenant_context(tenant_b):
        create_item_after_a_retry.delay("retried")
        # The second link is sent by the worker, when the first one ends.
        chain(create_item.si("link 1"), create_item.si("link 2")).delay()
    expected = ["link 1", "link 2", "retried"]
    wait_for(lambda: texts_in(tenant_b) == expected, 20, "the retry and the chain")
    assert texts_in(tenant_a) == []


def test_ten_tenants_times_twenty_interleaved_tasks_never_mix(worker):
    tenants = [create_tenant(unique_schema_name("busy")) for _ in range(10)]
    sends = [(tenant, number) for tenant in tenants for number in range(20)]
    random.Random(10).shuffle(sends)
    for tenant, number in sends:
        with tenant_context(tenant):
            create_item.delay(f"{tenant.schema_name}:{number}")
    for tenant in tenants:
        expected = sorted(f"{tenant.schema_name}:{number}" for number in range(20))
        wait_for(lambda t=tenant, e=expected: texts_in(t) == e, 60, f"{tenant}'s tasks")
    for tenant in tenants:
        tenant.delete()


def test_a_task_whose_tenant_was_deleted_fails_loudly_and_writes_nothing(worker, tenant_a):
    tenant = create_tenant(unique_schema_name("vanishing"))
    with tenant_context(tenant):
        create_item.apply_async(("ghost",), countdown=1)
    tenant.delete()
    wait_for(lambda: "no longer exists" in worker.output(), 20, "the worker to refuse it")
    assert f"tenant {tenant.schema_name!r} no longer exists" in worker.output()
    assert "ghost" not in texts_in(tenant_a)


def test_a_tenant_deleted_after_the_worker_cached_it_is_refused_at_once(worker, tenant_a):
    tenant = create_tenant(unique_schema_name("cached"))
    with tenant_context(tenant):
        create_item.delay("first")
    wait_for(lambda: texts_in(tenant) == ["first"], 20, "the first task")  # worker has it cached
    tenant.delete()
    with tenant_context(tenant):  # the deleted row still names its schema
        create_item.delay("second")
    refusal = f"tenant {tenant.schema_name!r} no longer exists"
    wait_for(lambda: refusal in worker.output(), 20, "the worker to refuse it")


async def test_jobs_from_a_socket_reach_only_that_tenant_sockets(
    worker, tenant_a, tenant_b, cookie_a, cookie_b
):
    await database_sync_to_async(create_item_in)(tenant_a, "one")
    sender = await open_socket(tenant_a, cookie_a)
    other_a = await open_socket(tenant_a, cookie_a)
    socket_b = await open_socket(tenant_b, cookie_b)
    await sender.send_json_to({"type": "job.start", "seconds": 0.2})
    queued = await sender.receive_json_from()
    assert queued["type"] == "job.queued"
    done = {"type": "job.done", "job_id": queued["job_id"], "items": 1, "schema": "a"}
    for socket in (sender, other_a):
        assert await socket.receive_json_from(timeout=20) == done
    assert await socket_b.receive_nothing(QUIET)
    for socket in (sender, other_a, socket_b):
        await socket.disconnect()


def create_item_in(tenant, text: str) -> None:
    with tenant_context(tenant):
        Item.objects.create(text=text)


async def test_jobs_from_http_reach_the_tenant_sockets(worker, tenant_a, cookie_a):
    socket_a = await open_socket(tenant_a, cookie_a)
    client = HttpClient()
    client.cookies["sessionid"] = cookie_a
    response = await sync_to_async(client.post)("/api/jobs/", {"seconds": "0"}, **http_kwargs("a"))
    assert response.status_code == 202
    done = await socket_a.receive_json_from(timeout=20)
    assert done == {
        "type": "job.done",
        "job_id": response.json()["job_id"],
        "items": 0,
        "schema": "a",
    }
    await socket_a.disconnect()
