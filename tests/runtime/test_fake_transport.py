"""The client over :class:`FakeTransport`: open, reject, messages, history, close kinds, waits.

Each test runs a :class:`ClientManager` on its own asyncio loop with ``socket.socket``
patched to raise: nothing here opens a socket.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.records import ConnectOutcome
from wsbdd.runtime import Client, ClientManager, ConnectRequest
from wsbdd.runtime.transports.fake import FakePeer, FakeServer

T = TypeVar("T")
URL = "ws://fake.test/ws"


@pytest.fixture
def run(
    loop: asyncio.AbstractEventLoop,
) -> Callable[[FakeServer | None, Callable[[ClientManager], Awaitable[T]]], T]:
    """Run ``body`` on the socket-less loop with a manager whose clients talk to ``server``.

    ``server`` None: the registry's own "fake" kind, no override.
    """

    def runner(server: FakeServer | None, body: Callable[[ClientManager], Awaitable[T]]) -> T:
        async def main() -> T:
            manager = ClientManager(transports={"websocket": server} if server else None)
            try:
                return await body(manager)
            finally:
                await manager.reset()

        return loop.run_until_complete(main())

    return runner


Run = Callable[..., object]


def echo(peer: FakePeer, data: str | bytes) -> None:
    peer.push(data)


def test_a_client_opens_and_receives_the_welcome_in_order(run: Run) -> None:
    server = FakeServer(welcome=['{"type": "welcome"}', '{"n": 1}'], subprotocol="chat")

    async def body(manager: ClientManager) -> tuple[Client, list[object]]:
        client = await manager.connect("A", ConnectRequest(URL))
        got = await client.wait(lambda c: len(c.received) >= 2 or None, 1)
        assert got is True
        return client, [m.payload for m in client.received]

    client, payloads = run(server, body)
    assert client.result.outcome is ConnectOutcome.OPEN
    assert client.subprotocol == "chat"
    assert payloads == [{"type": "welcome"}, {"n": 1}]
    assert [e.kind for e in client.transcript][:3] == ["open", "text", "text"]


def test_a_rejected_handshake_reports_status_and_body_and_cannot_send(run: Run) -> None:
    server = FakeServer(reject=401, reject_body="token expired")

    async def body(manager: ClientManager) -> Client:
        client = await manager.connect("A", ConnectRequest(URL))
        with pytest.raises(ExpectationFailed, match=r"rejected .*HTTP 401: token expired"):
            await client.send_text("hi")
        return client

    client = run(server, body)
    assert client.result.outcome is ConnectOutcome.REJECTED
    assert client.result.handshake.status == 401
    assert not client.is_open


def test_sent_messages_reach_the_server_and_its_answers_come_back_with_meta(run: Run) -> None:
    server = FakeServer(on_message=lambda peer, data: peer.push(data, {"event": "echo"}))

    async def body(manager: ClientManager) -> Client:
        client = await manager.connect("A", ConnectRequest(URL))
        await client.send_value({"q": 1})
        await client.wait(lambda c: c.received or None, 1)
        return client

    client = run(server, body)
    assert server.peers[0].received == ['{"q": 1}']
    assert client.received[0].payload == {"q": 1}
    assert client.received[0].meta == {"event": "echo"}
    shown = [e for e in client.transcript if e.direction == "received"]
    assert shown[0].meta["event"] == "echo"


def test_history_spans_a_reconnect(run: Run) -> None:
    server = FakeServer(welcome=['{"hello": true}'])

    async def body(manager: ClientManager) -> Client:
        first = await manager.connect("A", ConnectRequest(URL))
        await first.wait(lambda c: c.received or None, 1)
        second = await manager.connect("A", ConnectRequest(URL))
        await second.wait(lambda c: len(c.received) >= 2 or None, 1)
        return second

    client = run(server, body)
    assert [m.index for m in client.received] == [0, 1]
    assert client.first_index == 1
    assert len(client.connections) == 2
    first_close = client.connections[0].close
    assert first_close is not None and first_close.initiated_by == "client"


@pytest.mark.parametrize(
    ("act", "code", "who", "clean", "phrase"),
    [
        (lambda p: p.close(4401, "unauthorized"), 4401, "server", True,
         'it was closed by the server with code 4401 "unauthorized"'),
        (lambda p: p.drop(), 1006, "network", False,
         "its connection was cut without a close frame (code 1006)"),
    ],
)  # fmt: skip
def test_how_the_server_ended_it_is_reported(
    run: Run,
    act: Callable[[FakePeer], None], code: int, who: str, clean: bool, phrase: str
) -> None:
    server = FakeServer(on_open=act)

    async def body(manager: ClientManager) -> Client:
        client = await manager.connect("A", ConnectRequest(URL))
        await client.wait(lambda c: c.close_info, 1)
        with pytest.raises(ExpectationFailed, match=re.escape(phrase)):
            await client.send_text("late")
        return client

    client = run(server, body)
    info = client.close_info
    assert info is not None and (info.code, info.initiated_by, info.clean) == (code, who, clean)
    assert client.transcript[-1].kind == "close"


def test_the_client_closes_and_drops(run: Run) -> None:
    async def body(manager: ClientManager) -> tuple[Client, Client]:
        a = await manager.connect("A", ConnectRequest(URL))
        b = await manager.connect("B", ConnectRequest(URL))
        await a.close(4000, "bye")
        await b.drop()
        return a, b

    a, b = run(FakeServer(), body)
    assert a.close_info is not None and (a.close_info.code, a.close_info.reason) == (4000, "bye")
    assert b.close_info is not None and not b.close_info.clean
    assert b.close_phrase(b.close_info) == "it dropped its connection (code 1006)"


def test_a_wait_ends_at_its_deadline_and_pings_get_pongs(run: Run) -> None:
    async def body(manager: ClientManager) -> tuple[object, Client]:
        client = await manager.connect("A", ConnectRequest(URL))
        nothing = await client.wait(lambda c: c.received or None, 0.05)
        sent = await client.send_ping()
        await client.wait(lambda c: c.pongs or None, 1)
        assert client.pongs[0] >= sent
        return nothing, client

    nothing, client = run(FakeServer(), body)
    assert nothing is None
    assert client.last_ping_sent is not None


def test_fake_urls_may_be_http_and_unknown_kinds_are_refused() -> None:
    assert ConnectRequest("http://fake.test/", transport="fake").transport == "fake"
    with pytest.raises(UsageError, match="a WebSocket URL starts with ws:// or wss://"):
        ConnectRequest("http://example.test/")
    with pytest.raises(UsageError, match='unknown transport "carrier-pigeon"'):
        ConnectRequest("ws://x/", transport="carrier-pigeon")


def test_the_fake_kind_builds_a_silent_server_by_default(run: Run) -> None:
    async def body(manager: ClientManager) -> Client:
        return await manager.connect("A", ConnectRequest("http://fake.test/", transport="fake"))

    client = run(None, body)
    assert isinstance(client, Client)
    assert client.result.outcome is ConnectOutcome.OPEN
    assert client.close_info is not None  # reset closed it


def test_reset_copies_the_clients_first_in_the_same_hop_then_closes_them() -> None:
    from wsbdd.runtime import Clients, ConnectRequest
    from wsbdd.runtime.transports.fake import FakeServer

    with Clients(transports={"websocket": FakeServer()}) as clients:
        clients.connect("A", ConnectRequest(url="ws://fake.invalid/"))
        seen = clients.reset(lambda live: {n: c.close_info for n, c in live.items()})
        assert seen == {"A": None}  # copied while still open
        assert clients.names() == []

        clients.connect("B", ConnectRequest(url="ws://fake.invalid/"))

        def broken(live: object) -> None:
            raise RuntimeError("the copy failed")

        try:
            clients.reset(broken)
        except RuntimeError as exc:
            assert "the copy failed" in str(exc)
        else:
            raise AssertionError("the copy's error was swallowed")
        assert clients.names() == []  # closed anyway
