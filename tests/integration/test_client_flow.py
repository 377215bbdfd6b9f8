"""Heartbeats (pings answered, ignored, sent) and flow control (stop/resume reading)."""

from __future__ import annotations

import asyncio
import logging
import socket

from fixture_servers import ServerThread, hold

from wsbdd.core.records import CloseInfo, now
from wsbdd.runtime import Client, Clients, ConnectRequest

QUIET = logging.getLogger("tests.fixture.quiet")
QUIET.propagate = False
QUIET.addHandler(logging.NullHandler())


def closed(client: Client) -> CloseInfo | None:
    return client.close_info


def test_server_pings_are_recorded_and_answered(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    assert clients.connect("A", ConnectRequest(srv.url)).opened
    ws = servers.connection(srv)

    async def ping() -> float:
        pong = await ws.ping(b"hb")
        async with asyncio.timeout(2):
            latency: float = await pong
        return latency

    sent_at = now()
    latency = servers.run(ping())
    assert latency >= 0
    pings = clients.wait("A", lambda c: c.pings or None, 2.0)
    assert pings is not None and len(pings) == 1 and pings[0] >= sent_at
    event = next(e for e in clients.get("A").transcript if e.kind == "ping")
    assert (event.direction, event.data) == ("received", b"hb")


def test_ignoring_pings_gets_closed_by_keepalive(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold, ping_interval=0.2, ping_timeout=0.2, logger=QUIET)
    assert clients.connect("A", ConnectRequest(srv.url)).opened
    assert clients.connect("B", ConnectRequest(srv.url)).opened
    clients.set_answer_pings("A", False)
    assert not clients.get("A").answer_pings
    info = clients.wait("A", closed, 3.0)
    assert info is not None
    assert (info.code, info.initiated_by, info.clean) == (1011, "server", True)
    assert "keepalive" in info.reason
    assert len(clients.get("A").pings) >= 1
    # B answers: it is still open and has answered at least as many pings.
    assert clients.get("B").is_open and len(clients.get("B").pings) >= 1


def test_send_ping_records_pong(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    assert clients.connect("A", ConnectRequest(srv.url)).opened
    assert clients.last_ping_sent("A") is None
    sent_at = clients.send_ping("A")
    assert clients.last_trigger == sent_at == clients.last_ping_sent("A")
    pongs = clients.wait("A", lambda c: c.pongs or None, 2.0)
    assert pongs is not None and pongs[0] >= sent_at
    kinds = [(e.direction, e.kind) for e in clients.get("A").transcript]
    assert kinds == [("event", "open"), ("sent", "ping"), ("received", "pong")]


def test_stop_reading_backpressures_server_then_resume_drains(
    servers: ServerThread, clients: Clients
) -> None:
    count, payload = 8192, b"x" * 1024  # 8 MB: far more than the socket buffers
    srv = servers.websocket(hold, compression=None)
    assert clients.connect("A", ConnectRequest(srv.url)).opened
    ws = servers.connection(srv)
    clients.stop_reading("A")
    assert not clients.get("A").reading
    sent: list[float] = []
    done = asyncio.Event()

    async def pusher() -> None:
        for _ in range(count):
            await ws.send(payload)
            sent.append(now())
        done.set()

    async def start() -> None:
        asyncio.get_running_loop().create_task(pusher())

    servers.run(start())

    async def finished(within: float) -> bool:
        try:
            async with asyncio.timeout(within):
                await done.wait()
        except TimeoutError:
            return False
        return True

    # The server's sends block: 8 MB cannot get through a paused reader.
    assert servers.run(finished(1.0)) is False
    client = clients.get("A")
    # websockets' queue went past max_queue (16 frames) and paused the transport.
    conn = client.transport.connection  # the WebSocket transport's websockets connection
    assert conn is not None and len(conn.arrivals) > 16
    # Like a slow device, the paused client keeps a small kernel receive buffer.
    sock = conn.transport.get_extra_info("socket")
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) <= 16384
    blocked_at = len(sent)
    assert 0 < blocked_at < count
    assert clients.get("A").received == []
    resumed_at = now()
    clients.resume_reading("A")
    last = clients.wait("A", lambda c: len(c.received) >= count or None, 20.0)
    assert last is True
    assert servers.run(finished(5.0)) is True
    received = clients.get("A").received
    assert len(received) == count
    assert received[0].received_at < resumed_at  # stamped at arrival, not when read
    assert received[-1].received_at > resumed_at


def test_stop_reading_then_server_close_is_seen_after_resume(
    servers: ServerThread, clients: Clients
) -> None:
    srv = servers.websocket(hold)
    assert clients.connect("A", ConnectRequest(srv.url)).opened
    ws = servers.connection(srv)
    clients.stop_reading("A")
    servers.run(ws.send("one"))
    servers.run(ws.close(4000, "done"))
    # Few frames: the transport is not paused, so the close is processed at once
    # and recorded although the reader is stopped; the message waits in the queue.
    info = clients.wait("A", closed, 3.0)
    assert info is not None and info.code == 4000
    assert clients.get("A").received == []
    clients.resume_reading("A")
    msg = clients.wait("A", lambda c: c.received[0] if c.received else None, 2.0)
    assert msg is not None and msg.data == "one" and msg.received_at <= info.at
