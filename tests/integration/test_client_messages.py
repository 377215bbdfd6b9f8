"""Receiving and sending: arrival stamps, kinds, large frames, floods, waits."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping

import pytest
from fixture_servers import FixtureServer, ServerThread, echo, hold, push
from websockets.asyncio.server import ServerConnection

from wsbdd.core.exceptions import UsageError
from wsbdd.core.records import NOT_JSON, Message, now
from wsbdd.runtime import Client, Clients, ConnectRequest


def nth(n: int) -> Callable[[Client], Message | None]:
    """A probe: the client's n-th received message (1-based), once it exists."""

    def probe(client: Client) -> Message | None:
        return client.received[n - 1] if len(client.received) >= n else None

    return probe


def connected(
    servers: ServerThread,
    clients: Clients,
    srv: FixtureServer,
    name: str = "A",
    index: int = 0,
    secrets: tuple[str, ...] = (),
) -> ServerConnection:
    """Connect ``name`` to ``srv``; return the server side (its ``index``-th connection)."""
    result = clients.connect(name, ConnectRequest(srv.url, secrets=secrets))
    assert result.opened, result
    return servers.connection(srv, index)


def test_message_stamped_at_arrival_while_test_thread_busy(
    servers: ServerThread, clients: Clients
) -> None:
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)
    sent_at = servers.run(push(ws, '{"type": "hello"}'))
    time.sleep(0.3)  # a slow step: the message arrives meanwhile
    wait_started = now()
    msg = clients.wait("A", nth(1), 2.0)
    assert isinstance(msg, Message)
    assert msg.payload == {"type": "hello"}
    assert 0 <= msg.received_at - sent_at < 0.1
    assert wait_started - msg.received_at > 0.2


def test_kinds_text_binary_non_json(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)

    async def send_all() -> None:
        await ws.send('{"a": [1, 2]}')
        await ws.send("plain text")
        await ws.send(b"\x00\x01\xff")
        await ws.send(["frag", "mented"])  # one message in three frames

    servers.run(send_all())
    last = clients.wait("A", nth(4), 2.0)
    assert last is not None
    client = clients.get("A")
    json_msg, text_msg, bin_msg, frag_msg = client.received
    assert (json_msg.kind, json_msg.payload, json_msg.is_json) == ("text", {"a": [1, 2]}, True)
    assert (text_msg.kind, text_msg.payload, text_msg.data) == ("text", NOT_JSON, "plain text")
    assert (bin_msg.kind, bin_msg.data, bin_msg.payload) == ("binary", b"\x00\x01\xff", NOT_JSON)
    assert frag_msg.data == "fragmented"
    assert [m.index for m in client.received] == [0, 1, 2, 3]
    assert client.inbox == client.received
    client_times = [m.received_at for m in client.received]
    assert client_times == sorted(client_times)
    client.consume(text_msg)
    assert text_msg not in clients.get("A").inbox and len(client.inbox) == 3


def test_a_message_is_delivered_in_the_read_that_brought_it(
    servers: ServerThread, clients: Clients
) -> None:
    """No loop turn between the bytes and the step's probe: a one-frame message is
    recorded inside the ``data_received`` call that read it (not by a later reader turn)."""
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)
    client = clients.get("A")
    conn = client.transport.connection  # type: ignore[attr-defined]
    read = conn.data_received
    after_each_read: list[int] = []

    def reading(data: bytes) -> None:
        read(data)
        after_each_read.append(len(client.received))

    conn.data_received = reading
    servers.run(push(ws, '{"type": "hello"}'))
    assert clients.wait("A", nth(1), 2.0) is not None
    assert after_each_read and after_each_read[0] == 1


def test_order_is_kept_around_fragmented_and_queued_messages(
    servers: ServerThread, clients: Clients
) -> None:
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)

    async def burst() -> None:
        await ws.send("one")
        await ws.send(["tw", "o"])  # fragmented: it goes through recv()
        await ws.send("three")  # behind it in the queue: not handed over first
        await ws.send(b"four")

    servers.run(burst())
    assert clients.wait("A", nth(4), 2.0) is not None
    clients.stop_reading("A")
    servers.run(ws.send("five"))  # queued while the client does not read
    servers.run(ws.ping())  # seen once "five", sent before it, was read and queued
    assert clients.wait("A", lambda c: c.pings or None, 2.0)
    assert clients.get("A").received[4:] == []
    clients.resume_reading("A")
    servers.run(ws.send("six"))
    assert clients.wait("A", nth(6), 2.0) is not None
    data = [m.data for m in clients.get("A").received]
    assert data == ["one", "two", "three", b"four", "five", "six"]
    assert [m.index for m in clients.get("A").received] == [0, 1, 2, 3, 4, 5]


def test_invalid_utf8_closes_with_1007(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)
    servers.run(ws.send(b'{"ok": true}'))
    servers.run(ws.send(b"\xff\xfe not utf-8", text=True))
    info = clients.wait("A", lambda c: c.close_info, 3.0)
    assert info is not None
    assert info.code == 1007 and info.initiated_by == "client"
    client = clients.get("A")
    assert len(client.received) == 1  # the valid message before it
    close_event = [e for e in client.transcript if e.kind == "close"][-1]
    assert "UnicodeDecodeError" in close_event.meta["cause"]
    servers.run(srv.until(lambda: len(srv.closes) == 1))
    assert srv.closes[0].code == 1007


def test_ten_mib_frame(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)
    blob = os.urandom(10 * 2**20)
    servers.run(ws.send(blob), 30)
    msg = clients.wait("A", nth(1), 30.0)
    assert msg is not None and msg.kind == "binary" and msg.data == blob


def test_flood_of_100k_messages(servers: ServerThread, clients: Clients) -> None:
    count = 100_000
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)

    async def flood() -> float:
        started = now()
        for i in range(count):
            # Queue frames in bulk (fast server), flushing now and then.
            ws.protocol.send_text(b'{"n": %d}' % i)
            if i % 500 == 499:
                ws.send_data()
                await ws.drain()
        ws.send_data()
        return started

    started = servers.run(flood(), 60)
    last = clients.wait("A", nth(count), 60.0)
    elapsed = now() - started
    assert last is not None and last.payload == {"n": count - 1}
    client = clients.get("A")
    assert len(client.received) == count
    assert [m.payload["n"] for m in client.received[:5]] == [0, 1, 2, 3, 4]
    assert elapsed < 30, f"100k messages took {elapsed:.1f} s"
    print(f"\n100k messages received in {elapsed:.2f} s")


def test_send_returns_time_marks_trigger_and_records(
    servers: ServerThread, clients: Clients
) -> None:
    srv = servers.websocket(echo)
    connected(servers, clients, srv)
    before = now()
    t1 = clients.send_text("A", '{"type": "ping"}')
    assert before <= t1 <= now()
    assert clients.last_trigger == t1
    t2 = clients.send_binary("A", b"\x0a\x0b")
    assert clients.last_trigger == t2 >= t1
    echoed = clients.wait("A", nth(2), 2.0)
    assert echoed is not None and echoed.data == b"\x0a\x0b"
    first = clients.get("A").received[0]
    assert first.payload == {"type": "ping"} and first.received_at >= t1
    kinds = [(e.direction, e.kind) for e in clients.get("A").transcript]
    assert kinds == [
        ("event", "open"),
        ("sent", "text"),
        ("sent", "binary"),
        ("received", "text"),
        ("received", "binary"),
    ] or kinds == [
        ("event", "open"),
        ("sent", "text"),
        ("received", "text"),
        ("sent", "binary"),
        ("received", "binary"),
    ]
    clients.mark_trigger(123.0)
    assert clients.last_trigger == 123.0


def test_transcript_redacts_secrets(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(echo)
    connected(servers, clients, srv, secrets=("tok-123",))
    clients.send_text("A", '{"auth": "tok-123"}')
    assert clients.wait("A", nth(1), 2.0) is not None
    transcript = clients.get("A").transcript
    assert len(transcript) == 3
    assert all("tok-123" not in str(e.data) for e in transcript)
    assert clients.get("A").received[0].payload == {"auth": "tok-123"}  # data itself intact


def test_wait_wakes_on_arrival_and_times_out(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)

    async def later() -> None:
        ws.loop.call_later(0.2, lambda: ws.loop.create_task(ws.send("late")))

    started = now()
    servers.run(later())
    msg = clients.wait("A", nth(1), 5.0)
    waited = now() - started
    assert msg is not None and msg.data == "late"
    assert 0.15 < waited < 1.0  # woke on arrival, far before the deadline
    started = now()
    assert clients.wait("A", nth(2), 0.3) is None
    assert 0.29 <= now() - started < 1.0


def test_wait_probe_runs_on_loop_thread_and_wait_all(
    servers: ServerThread, clients: Clients
) -> None:
    srv = servers.websocket(echo)
    connected(servers, clients, srv, "A")
    connected(servers, clients, srv, "B", index=1)
    loop_thread = clients.loop.thread
    seen: list[bool] = []

    def probe(client: Client) -> bool | None:
        import threading

        seen.append(threading.current_thread() is loop_thread)
        return True if client.received else None

    clients.send_text("A", "x")
    assert clients.wait("A", probe, 2.0) is True
    assert seen and all(seen)
    clients.send_text("B", "y")

    def both(by_name: Mapping[str, Client]) -> tuple[str, str] | None:
        a, b = by_name["A"], by_name["B"]
        if a.received and b.received:
            return (str(a.received[0].data), str(b.received[0].data))
        return None

    assert clients.wait_all(both, 2.0) == ("x", "y")


def test_send_many_paced_and_back_to_back(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(echo)
    connected(servers, clients, srv)
    sent = clients.send_many("A", [f'{{"n": {i}}}' for i in range(20)], rate=100)
    assert len(sent) == 20 and sent == sorted(sent)
    assert 0.17 <= sent[-1] - sent[0] < 0.5  # 19 gaps of 10 ms, no drift
    assert clients.last_trigger == sent[-1]
    burst = clients.send_many("A", ["x"] * 500)
    assert len(burst) == 500
    assert clients.wait("A", nth(520), 5.0) is not None
    assert [m.payload for m in clients.get("A").received[:3]] == [{"n": 0}, {"n": 1}, {"n": 2}]
    with pytest.raises(UsageError):
        clients.send_many("A", ["x"], rate=0)
