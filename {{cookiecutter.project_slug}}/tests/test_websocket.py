"""The demo WebSocket: tenant isolation, auth, bad frames, and long-lived connections."""

import asyncio
import random
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from asgiref.sync import SyncToAsync
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.urls import path
from django_tenants.utils import tenant_context

from {{ cookiecutter.project_slug }}.items.models import Item
from {{ cookiecutter.project_slug }}.tenancy import cache
from {{ cookiecutter.project_slug }}.tenancy.consumers import (
    TENANT_GONE_CLOSE_CODE,
    TenantJsonWebsocketConsumer,
)
from {{ cookiecutter.project_slug }}.tenancy.groups import broadcast_sync, tenant_group
from {{ cookiecutter.project_slug }}.tenancy.middleware import TenantWebsocketMiddleware

from .conftest import (
    close_other_sessions,
    communicator,
    create_tenant,
    open_socket,
    recorded_sql,
    session_cookie,
    tenant_headers,
    unique_schema_name,
)

QUIET = 0.2  # seconds a socket must stay silent to count as having received nothing


@database_sync_to_async
def texts_in(tenant) -> list[str]:
    with tenant_context(tenant):
        return list(Item.objects.values_list("text", flat=True))


async def test_items_and_broadcasts_stay_within_their_tenant(
    tenant_a, tenant_b, cookie_a, cookie_b
):
    await database_sync_to_async(create_item)(tenant_b, "b's old item")
    socket_a = await open_socket(tenant_a, cookie_a)
    socket_a2 = await open_socket(tenant_a, cookie_a)
    socket_b = communicator(tenant_headers(tenant_b), cookie=cookie_b)
    assert (await socket_b.connect())[0]
    assert await socket_b.receive_json_from() == {
        "type": "items",
        "items": [{"id": pytest.approx(0, abs=10**9), "text": "b's old item"}],
    }

    await socket_a.send_json_to({"type": "item.create", "text": "hello"})
    for socket in (socket_a, socket_a2):
        frame = await socket.receive_json_from()
        assert frame["type"] == "item.created" and frame["item"]["text"] == "hello"
    assert await socket_b.receive_nothing(QUIET)
    assert await texts_in(tenant_a) == ["hello"]
    assert await texts_in(tenant_b) == ["b's old item"]
    for socket in (socket_a, socket_a2, socket_b):
        await socket.disconnect()


def create_item(tenant, text: str) -> Item:
    with tenant_context(tenant):
        return Item.objects.create(text=text)


async def test_the_initial_list_is_newest_first_and_at_most_50(tenant_a, cookie_a):
    for number in range(55):
        await database_sync_to_async(create_item)(tenant_a, f"item {number}")
    socket = communicator(tenant_headers(tenant_a), cookie=cookie_a)
    assert (await socket.connect())[0]
    frame = await socket.receive_json_from()
    assert [item["text"] for item in frame["items"]] == [f"item {n}" for n in range(54, 4, -1)]
    await socket.disconnect()


async def test_anonymous_users_are_refused(tenant_a):
    connected, _ = await communicator(tenant_headers(tenant_a)).connect()
    assert not connected


async def test_anonymous_users_are_let_in_when_configured(tenant_a, settings):
    settings.ITEMS_ALLOW_ANONYMOUS = True
    socket = await open_socket(tenant_a)
    await socket.disconnect()


async def test_a_session_of_tenant_a_means_nothing_to_tenant_b(tenant_a, tenant_b, cookie_a):
    socket = communicator(tenant_headers(tenant_b), cookie=cookie_a)
    connected, _ = await socket.connect()
    assert not connected


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("{not json", "malformed JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"type": "item.delete"}', "unknown frame type"),
        ('{"type": "item.create"}', "text must be"),
        ('{"type": "item.create", "text": ""}', "text must be"),
        ('{"type": "item.create", "text": 7}', "text must be"),
        ('{"type": "item.create", "text": "' + "x" * 501 + '"}', "text must be"),
    ],
    ids=["malformed", "not-object", "unknown-type", "no-text", "empty", "not-string", "too-long"],
)
async def test_a_bad_frame_gets_an_error_and_the_socket_stays_open(
    tenant_a, frame, reason, cookie_a
):
    socket = await open_socket(tenant_a, cookie_a)
    await socket.send_to(text_data=frame)
    error = await socket.receive_json_from()
    assert error["type"] == "error" and reason in error["error"]
    await socket.send_json_to({"type": "item.create", "text": "still open"})
    assert (await socket.receive_json_from())["type"] == "item.created"
    await socket.disconnect()


@pytest.fixture
def main_thread_reconnects():
    """The kill below also ends this thread's connection: drop it so teardown reconnects."""
    yield
    connection.close()


async def test_a_killed_database_connection_heals_in_the_tenant_schema(
    tenant_a, cookie_a, main_thread_reconnects
):
    socket = await open_socket(tenant_a, cookie_a)
    await database_sync_to_async(close_other_sessions)()
    await socket.send_json_to({"type": "item.create", "text": "after the kill"})
    assert (await socket.receive_json_from())["item"]["text"] == "after the kill"
    assert await texts_in(tenant_a) == ["after the kill"]
    await socket.disconnect()


@pytest.fixture
def doomed_tenant():
    tenant = create_tenant(unique_schema_name("doomed"))
    return tenant, session_cookie(tenant)


async def test_a_deleted_tenant_closes_its_sockets_on_their_next_frame(doomed_tenant):
    tenant, cookie = doomed_tenant
    socket = await open_socket(tenant, cookie)
    await database_sync_to_async(tenant.delete)()
    await socket.send_json_to({"type": "item.create", "text": "too late"})
    closing = await socket.receive_output()
    assert closing == {"type": "websocket.close", "code": TENANT_GONE_CLOSE_CODE}


async def test_a_warm_handshake_makes_no_tenant_lookup_query(tenant_a, cookie_a):
    cookie = cookie_a
    await (await open_socket(tenant_a, cookie)).disconnect()  # warms the cache
    with recorded_sql() as statements:
        await (await open_socket(tenant_a, cookie)).disconnect()
    assert not [sql for sql in statements if "tenants_domain" in sql or "tenants_client" in sql]


async def test_broadcast_from_sync_code_reaches_only_that_tenant(
    tenant_a, tenant_b, cookie_a, cookie_b
):
    socket_a = await open_socket(tenant_a, cookie_a)
    socket_b = await open_socket(tenant_b, cookie_b)
    event = {"type": "item.created", "item": {"id": 0, "text": "from a view"}}
    await database_sync_to_async(broadcast_sync)(tenant_a, "items", event)
    assert await socket_a.receive_json_from() == event
    assert await socket_b.receive_nothing(QUIET)
    await socket_a.disconnect()
    await socket_b.disconnect()


class RoomConsumer(TenantJsonWebsocketConsumer):
    """Joins and leaves the rooms its client asks for."""

    async def connect(self):
        await self.accept()

    async def receive_json(self, content, **kwargs):
        await (self.join if content["op"] == "join" else self.leave)(content["room"])
        await self.send_json({"done": content["op"]})

    async def room_message(self, event):
        await self.send_json(event)


ROOMS = TenantWebsocketMiddleware(URLRouter([path("ws/rooms/", RoomConsumer.as_asgi())]))


async def room_socket(tenant, *rooms: str) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(ROOMS, "/ws/rooms/", headers=tenant_headers(tenant))
    assert (await socket.connect())[0]
    for room in rooms:
        await socket.send_json_to({"op": "join", "room": room})
        assert await socket.receive_json_from() == {"done": "join"}
    return socket


async def test_joined_groups_are_the_tenant_own_and_can_be_left(tenant_a, tenant_b):
    in_a, in_b = await room_socket(tenant_a, "lobby"), await room_socket(tenant_b, "lobby")
    message = {"type": "room.message", "text": "hi"}
    await database_sync_to_async(broadcast_sync)(tenant_a, "lobby", message)
    assert await in_a.receive_json_from() == message
    assert await in_b.receive_nothing(QUIET)
    await in_a.send_json_to({"op": "leave", "room": "lobby"})
    assert await in_a.receive_json_from() == {"done": "leave"}
    await database_sync_to_async(broadcast_sync)(tenant_a, "lobby", message)
    assert await in_a.receive_nothing(QUIET)
    await in_a.disconnect()
    await in_b.disconnect()


@contextmanager
def work_handed_to_the_sync_thread() -> Iterator[list[str]]:
    """Names of the functions that async code runs in a thread while the block runs."""
    names: list[str] = []
    original = SyncToAsync.thread_handler

    def record(self, *args, **kwargs):
        names.append(f"{self.func.__module__}.{self.func.__qualname__}")
        return original(self, *args, **kwargs)

    SyncToAsync.thread_handler = record
    try:
        yield names
    finally:
        SyncToAsync.thread_handler = original


async def test_a_warm_socket_hands_no_tenant_work_to_the_sync_thread(tenant_a):
    cache.memory.forget(None)
    with work_handed_to_the_sync_thread() as cold:
        await (await room_socket(tenant_a)).disconnect()
    assert "{{ cookiecutter.project_slug }}.tenancy.resolution.tenant_for_websocket" in cold
    # Now in this process' memory: the handshake and each frame resolve it on the event loop.
    # (Channels itself still closes old database connections in that thread per message.)
    with work_handed_to_the_sync_thread() as warm:
        await (await room_socket(tenant_a, "lobby", "kitchen")).disconnect()
    assert [name for name in warm if ".tenancy." in name] == []


class WhoAmIConsumer(TenantJsonWebsocketConsumer):
    """Tells its client who Channels' AuthMiddleware found."""

    async def connect(self):
        await self.accept()
        user = self.scope["user"]
        await self.send_json({"authenticated": user.is_authenticated, "name": user.get_username()})


WHO_AM_I = TenantWebsocketMiddleware(
    AuthMiddlewareStack(URLRouter([path("ws/whoami/", WhoAmIConsumer.as_asgi())]))
)


async def who_am_i(tenant, cookie: str) -> dict:
    headers = [*tenant_headers(tenant), (b"cookie", f"sessionid={cookie}".encode())]
    socket = WebsocketCommunicator(WHO_AM_I, "/ws/whoami/", headers=headers)
    assert (await socket.connect())[0]
    answer = await socket.receive_json_from()
    await socket.disconnect()
    return answer


async def test_auth_looks_the_session_up_in_the_socket_tenant_only(tenant_a, tenant_b, cookie_a):
    assert await who_am_i(tenant_a, cookie_a) == {"authenticated": True, "name": "alice"}
    assert await who_am_i(tenant_b, cookie_a) == {"authenticated": False, "name": ""}


def test_group_names_are_valid_and_distinct_per_tenant():
    class Named:
        def __init__(self, schema_name):
            self.schema_name = schema_name

    names = [tenant_group(Named(s), "items") for s in ("a_b", "a-b", "ab", "a" * 63, "a" * 62)]
    assert len(set(names)) == len(names)
    for name in names:
        assert len(name) < 100 and all(c.isalnum() or c in "._-" for c in name)
    with pytest.raises(ValueError, match="group name"):
        tenant_group(Named("a"), "no spaces")


async def test_many_tenants_interleaved_never_cross(settings):
    """20 tenants x 3 sockets on one event loop, connects, frames and disconnects interleaved
    at random: every read (the initial list) and every broadcast stays in its tenant."""
    settings.ITEMS_ALLOW_ANONYMOUS = True
    rng = random.Random(20)
    tenants = [
        await database_sync_to_async(create_tenant)(unique_schema_name("many")) for _ in range(20)
    ]
    for tenant in tenants:
        await database_sync_to_async(create_item)(tenant, f"{tenant.schema_name}:seed")

    def owners(texts) -> set[str]:
        return {text.split(":")[0] for text in texts}

    async def client(tenant, number: int) -> list[str]:
        await asyncio.sleep(rng.random() / 20)
        socket = communicator(tenant_headers(tenant))
        assert (await socket.connect())[0]
        listed = [item["text"] for item in (await socket.receive_json_from())["items"]]
        assert f"{tenant.schema_name}:seed" in listed
        assert owners(listed) == {tenant.schema_name}
        own = {f"{tenant.schema_name}:{number}:{sent}" for sent in range(3)}
        for text in sorted(own):
            await asyncio.sleep(rng.random() / 50)
            await socket.send_json_to({"type": "item.create", "text": text})
        heard: list[str] = []
        while not own <= set(heard):
            heard.append((await socket.receive_json_from(timeout=10))["item"]["text"])
        await asyncio.sleep(rng.random() / 50)
        while not await socket.receive_nothing(0.05):
            heard.append((await socket.receive_json_from())["item"]["text"])
        await socket.disconnect()
        return heard

    clients = [(tenant, number) for tenant in tenants for number in range(3)]
    rng.shuffle(clients)
    results = await asyncio.gather(*(client(tenant, number) for tenant, number in clients))

    for (tenant, _number), heard in zip(clients, results, strict=True):
        assert owners(heard) == {tenant.schema_name}
    for tenant in tenants:
        stored = await texts_in(tenant)
        assert len(stored) == 10 and owners(stored) == {tenant.schema_name}
        await database_sync_to_async(tenant.delete)()
{%- if cookiecutter.celery_broker == "none" %}


async def test_jobs_are_refused_with_a_reason_when_celery_is_off(tenant_a, cookie_a):
    socket = await open_socket(tenant_a, cookie_a)
    await socket.send_json_to({"type": "job.start", "seconds": 1})
    error = await socket.receive_json_from()
    assert error["type"] == "error" and "disabled" in error["error"]
    await socket.disconnect()
{%- endif %}
