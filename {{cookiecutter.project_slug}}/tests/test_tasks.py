"""The Celery task bases, run in-process (eager): capture at send, activation, failing closed."""

import pytest
from asgiref.sync import sync_to_async
from celery import current_app
from django.db import transaction
from django_tenants.utils import schema_context, tenant_context
from kombu.exceptions import OperationalError

from {{ cookiecutter.project_slug }}.items.models import Item
from {{ cookiecutter.project_slug }}.items.tasks import count_items
from {{ cookiecutter.project_slug }}.tenancy.context import active_tenant, get_current_tenant
from {{ cookiecutter.project_slug }}.tenancy.exceptions import TenantNotFound, TenantRequired
from {{ cookiecutter.project_slug }}.tenancy.tasks import TENANT_HEADER, for_each_tenant

from .celery_tasks import (
    create_item,
    schema_of_public_task,
    schema_of_tenant_task,
)
from .conftest import create_tenant, open_socket, unique_schema_name


@pytest.fixture
def eager():
    """Tasks run in this process when sent, as a worker would run them."""
    conf = current_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def texts_in(tenant) -> list[str]:
    with tenant_context(tenant):
        return list(Item.objects.values_list("text", flat=True))


def test_the_sender_tenant_travels_with_the_task(eager, tenant_a, tenant_b):
    with tenant_context(tenant_a):
        assert schema_of_tenant_task.delay().get() == "a"
    with schema_context("b"):
        assert schema_of_tenant_task.delay().get() == "b"
    assert get_current_tenant() is None  # the task restored what was active


async def test_a_task_sent_from_async_code_carries_the_consumer_tenant(eager, tenant_a):
    with active_tenant(tenant_a):
        result = await sync_to_async(schema_of_tenant_task.delay, thread_sensitive=False)()
    assert result.get() == "a"


def test_a_tenant_task_sent_with_no_tenant_is_refused(eager):
    with pytest.raises(TenantRequired, match="sent with no tenant active"):
        create_item.delay("nobody's")


def test_a_task_for_a_deleted_tenant_fails_and_writes_nothing(eager, tenant_a):
    tenant = create_tenant(unique_schema_name("deleted"))
    schema_name = tenant.schema_name
    tenant.delete()
    with pytest.raises(TenantNotFound, match="no longer exists"):
        create_item.apply(("ghost",), headers={TENANT_HEADER: schema_name})
    assert "ghost" not in texts_in(tenant_a)


def test_delay_on_commit_keeps_the_tenant_of_the_call(eager, tenant_a):
    with transaction.atomic():  # noqa: SIM117 (the point: it commits outside the tenant)
        with tenant_context(tenant_a):
            create_item.delay_on_commit("committed")
    assert texts_in(tenant_a) == ["committed"]


def test_a_public_task_runs_in_public_whoever_sends_it(eager, tenant_a):
    with tenant_context(tenant_a):
        assert schema_of_public_task.delay().get() == "public"


def test_for_each_tenant_runs_the_task_once_per_tenant(eager, tenant_a, tenant_b):
    sent = for_each_tenant.delay(create_item.name, ["tick"]).get()
    assert sent >= 2
    assert texts_in(tenant_a) == ["tick"]
    assert texts_in(tenant_b) == ["tick"]


def test_the_beat_schedule_runs_the_demo_job_per_tenant(eager, tenant_a):
    entry = current_app.conf.beat_schedule["count-items-hourly"]
    task = current_app.tasks[entry["task"]]
    assert task.name == for_each_tenant.name and entry["args"][0] == count_items.name
    assert task.delay(*entry["args"]).get() >= 1


@pytest.fixture
def dead_broker():
    """Tasks are published to a port nothing listens on."""
    conf = current_app.conf
    saved = conf.broker_write_url
    conf.broker_write_url = {% if cookiecutter.celery_broker == "redis" %}"redis://127.0.0.1:9/0"{% else %}"amqp://guest:guest@127.0.0.1:9//"{% endif %}
    forget_connections(current_app)
    yield
    conf.broker_write_url = saved
    forget_connections(current_app)


def forget_connections(app) -> None:
    # Connection and producer pools are made on first use, for the broker URL of that time.
    app._pool = None
    app.amqp._producer_pool = None


def test_a_dead_broker_gives_the_sender_a_clear_error(dead_broker, tenant_a):
    with tenant_context(tenant_a), pytest.raises(OperationalError):
        create_item.delay("never sent")


async def test_a_dead_broker_gets_an_error_frame_and_the_socket_stays_open(
    dead_broker, tenant_a, cookie_a
):
    socket = await open_socket(tenant_a, cookie_a)
    await socket.send_json_to({"type": "job.start", "seconds": 0})
    error = await socket.receive_json_from(timeout=10)
    assert error["type"] == "error" and "unavailable" in error["error"]
    await socket.send_json_to({"type": "item.create", "text": "still open"})
    assert (await socket.receive_json_from())["type"] == "item.created"
    await socket.disconnect()


@pytest.mark.parametrize("seconds", [-1, 5.5, "1", True, None], ids=repr)
async def test_a_bad_job_frame_gets_an_error(tenant_a, cookie_a, seconds):
    socket = await open_socket(tenant_a, cookie_a)
    await socket.send_json_to({"type": "job.start", "seconds": seconds})
    error = await socket.receive_json_from()
    assert error["type"] == "error" and "seconds" in error["error"]
    await socket.disconnect()
