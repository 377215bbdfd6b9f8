"""The mock server on real sockets (port 0): what a client sees, and what is recorded."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.server import ServerProtocol

from wsbdd.core.matching import Variables
from wsbdd.mock.script import Script
from wsbdd.mock.server import MAX_FRAME, MockServer, StampedConnection


async def _until(server: MockServer, ready: Callable[[], bool]) -> None:
    """Wait (bounded) until ``ready()``, woken by each change the mock records."""
    changed = asyncio.Event()
    stop = server.record.listen(changed.set)
    try:
        while not ready():
            changed.clear()
            await asyncio.wait_for(changed.wait(), 5)
    finally:
        stop()


async def _started() -> MockServer:
    server = MockServer(Script(), Variables())
    await server.start()
    return server


def test_a_mock_left_with_connections_closes_them_with_1001() -> None:
    async def main() -> int | None:
        server = await _started()
        async with connect(f"ws://127.0.0.1:{server.port}/?client=a") as ws:
            await ws.send("hi")
            await _until(server, lambda: bool(server.record.messages()))
            await server.stop()
            await asyncio.wait_for(ws.wait_closed(), 5)
            record = server.record.connections[0]
            assert record.closed is not None and record.closed.code == 1001
            assert [f.data for f in record.received()] == ["hi"]
            return ws.close_code

    assert asyncio.run(main()) == 1001


def test_drop_cuts_without_a_close_frame_and_refusal_answers_the_status() -> None:
    async def main() -> None:
        server = await _started()
        url = f"ws://127.0.0.1:{server.port}/?client=a"
        async with connect(url) as ws:
            await _until(server, lambda: bool(server.record.open_connections()))
            assert server.drop_all() == 1
            await asyncio.wait_for(ws.wait_closed(), 5)
            assert ws.close_code == 1006
        server.refuse(503, 5.0)
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url):
                pass
        assert refused.value.response.status_code == 503
        last = server.record.connections[-1]
        assert last.status == 503 and last.refused_at is not None and not last.accepted
        await server.stop()

    asyncio.run(main())


def test_a_port_in_use_raises_oserror_at_once() -> None:
    async def main() -> None:
        first = await _started()
        second = MockServer(Script(), Variables())
        with pytest.raises(OSError):
            await asyncio.wait_for(second.start(first.port), 5)
        await first.stop()

    asyncio.run(main())


def test_latency_delays_each_frame_without_adding_up() -> None:
    async def main() -> float:
        script = Script()
        script.answer({"type": "ping"}, '{"type": "pong", "n": "${n}"}', {})
        script.set_latency(0.5)
        server = MockServer(script, Variables())
        await server.start()
        async with connect(f"ws://127.0.0.1:{server.port}/?client=a") as ws:
            started = time.monotonic()
            for n in range(3):
                await ws.send(json.dumps({"type": "ping", "n": n}))
            replies = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(3)]
            elapsed = time.monotonic() - started
        assert [r["n"] for r in replies] == [0, 1, 2]
        await server.stop()
        return elapsed

    elapsed = asyncio.run(main())
    assert 0.5 <= elapsed < 1.2, elapsed  # three 0.5 s latencies in a row would be 1.5 s


def test_a_frame_over_the_limit_closes_with_1009_and_is_recorded() -> None:
    async def main() -> None:
        server = await _started()
        async with connect(f"ws://127.0.0.1:{server.port}/?client=a", max_size=None) as ws:
            await ws.send("x" * (MAX_FRAME + 1))
            await asyncio.wait_for(ws.wait_closed(), 10)
            assert ws.close_code == 1009
        await _until(server, lambda: server.record.connections[0].closed is not None)
        closed = server.record.connections[0].closed
        assert closed is not None and closed.code == 1009
        await server.stop()

    asyncio.run(main())


def test_a_stop_ends_a_handshake_still_in_progress() -> None:
    # A client that connected but has not sent its request yet (an app reconnecting just as
    # the scenario ends): the stop cuts it within its grace and leaves no task behind,
    # instead of the handshake waiting for its request until websockets' open timeout.
    async def main() -> tuple[float, bytes, list[asyncio.Task[object]]]:
        server = await _started()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        while not server.handshakes_in_progress():  # noqa: ASYNC110 - an accept has no event
            await asyncio.sleep(0.01)
        started = time.monotonic()
        await server.stop()
        took = time.monotonic() - started
        seen = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        me = asyncio.current_task()
        return took, seen, [t for t in asyncio.all_tasks() if t is not me]

    took, seen, left = asyncio.run(main())
    assert took < 1.0, f"the stop took {took:.2f} s"
    assert seen == b""  # cut: the client reads the end of the stream
    assert left == []


def test_a_stop_skips_a_connection_accepted_a_moment_before_it_has_a_socket() -> None:
    # asyncio builds the connection object first and gives it its transport a loop step
    # later; a stop in between must not trip over it (it failed with AttributeError)
    async def main() -> None:
        server = await _started()
        assert server._server is not None
        bare = StampedConnection(ServerProtocol(), server._server)
        server._made.add(bare)
        assert not hasattr(bare, "transport")
        await server.stop()

    asyncio.run(main())
