"""Every wait and every HTTP request ends within its deadline plus a small margin.

An HTTP response that trickles (an SSE endpoint: headers, then a line every
100 ms, never the end) must end at the request's total deadline, not run for
ever because each read is quick; a wait on a client under a flood of messages
must end on time, not when the loop gets round to its timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Iterator

import pytest
from fixture_servers import ServerThread
from websockets.asyncio.server import ServerConnection

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.records import now
from wsbdd.runtime import Client, Clients, ConnectRequest
from wsbdd.runtime.http import HttpTrigger
from wsbdd.runtime.transports.ws_connection import READ_CHUNK, StampedConnection

MARGIN = 1.0
"""Seconds a deadline may be overrun on the loaded two-core machine, where what is tested is
that the wait ends at all (a trickle or a flood would otherwise keep it going for ever). CI
overran a 1 s deadline by 0.59 and 0.62 s once (2026-12-08), and a flooded wait by 0.77 s
with three pytest workers on two cores. What made a flooded loop late by design (asyncio's
256 KiB reads, thousands of frames parsed before any timer ran) is caught without a clock
by ``test_a_flood_is_read_in_small_chunks_so_timers_keep_their_time``."""


@pytest.fixture
def trickling(servers: ServerThread) -> Iterator[str]:
    """http:// URL of a server that answers 200 and then sends a line every 100 ms, for ever.

    Plain text: an event-stream answer fails at once, pointing to the SSE phrases
    (tests/http), so it would not reach the total deadline this test is about."""
    writers: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            while True:
                writer.write(b"6\r\ndata:\n\r\n")
                await writer.drain()
                await asyncio.sleep(0.1)

    async def start() -> tuple[asyncio.Server, str]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/events"

    server, url = servers.run(start())
    yield url

    async def stop() -> None:
        for writer in writers:
            writer.transport.abort()
        server.close()

    servers.run(stop())


def test_a_trickling_http_response_ends_at_the_total_deadline(trickling: str) -> None:
    http = HttpTrigger(None, timeout=1.0)
    start = now()
    with pytest.raises(ExpectationFailed) as failure:
        http.request("GET", trickling)
    took = now() - start
    assert 1.0 <= took < 1.0 + MARGIN, took
    text = str(failure.value)
    assert text.startswith(f"GET {trickling} got no complete response within 1.00 s (waited 1.0")


def test_a_quick_http_response_still_arrives(servers: ServerThread) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{"ok": true}')
        await writer.drain()
        writer.close()

    async def start() -> str:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"

    response = HttpTrigger(None, timeout=1.0).request("GET", servers.run(start()))
    assert (response.status, response.payload) == (200, {"ok": True})


async def _flood(ws: ServerConnection) -> None:
    """Messages as fast as the client takes them, until it closes."""
    with contextlib.suppress(Exception):
        for i in itertools.count():
            ws.protocol.send_text(b'{"type": "flood", "n": %d}' % i)
            if i % 500 == 499:
                ws.send_data()
                await ws.drain()


def nothing(client: Client) -> None:
    return None


def test_a_wait_under_a_flood_ends_on_time(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(_flood, compression=None)
    assert clients.connect("A", ConnectRequest(srv.url, compression=None)).opened
    assert clients.wait("A", lambda c: True if c.received else None, 5.0)
    start = now()
    assert clients.wait("A", nothing, 1.0, until=start + 1.0) is None
    took = now() - start
    assert len(clients.get("A").received) > 10_000, "no flood during the wait"
    assert 1.0 <= took < 1.0 + MARGIN, took


def test_a_flood_is_read_in_small_chunks_so_timers_keep_their_time(
    servers: ServerThread, clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    # asyncio reads 256 KiB at a time: under a flood of small frames that is
    # thousands of frames parsed before any timer runs (a wait's deadline fired
    # up to 0.3 s late on a loaded machine). Every read is at most READ_CHUNK,
    # even when far more is waiting in the socket.
    reads: list[int] = []
    original = StampedConnection.data_received

    def recording(self: StampedConnection, data: bytes) -> None:
        reads.append(len(data))
        original(self, data)

    async def busy_loop(_: object) -> None:
        time.sleep(0.3)  # noqa: ASYNC251 - a loop too busy to read while the flood fills the socket

    monkeypatch.setattr(StampedConnection, "data_received", recording)
    srv = servers.websocket(_flood, compression=None)
    assert clients.connect("A", ConnectRequest(srv.url, compression=None)).opened
    assert clients.wait("A", lambda c: True if c.received else None, 5.0)
    clients.run(busy_loop, 5.0)
    seen = len(clients.get("A").received)
    assert clients.wait("A", lambda c: True if len(c.received) > seen + 20_000 else None, 5.0)
    assert max(reads) <= READ_CHUNK == 16 * 1024, max(reads)
    assert reads.count(READ_CHUNK) > 10, "more than one read's worth never waited in the socket"


def test_a_close_under_a_flood_ends_within_its_close_timeout(
    servers: ServerThread, clients: Clients
) -> None:
    srv = servers.websocket(_flood, compression=None)
    request = ConnectRequest(srv.url, compression=None, close_timeout=1.0)
    assert clients.connect("A", request).opened
    assert clients.wait("A", lambda c: True if len(c.received) > 1000 else None, 5.0)
    start = now()
    clients.disconnect("A")
    took = now() - start
    client = clients.get("A")
    assert client.close_info is not None and not client.is_open
    assert took < 1.0 + MARGIN, took
