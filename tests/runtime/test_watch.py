"""A client's wait runs its probe where the change is recorded (runtime/_watch.py).

On the fake transport: the server side pushes from a plain loop callback, so
whether the probe ran *during* the push (not a loop turn later) is observable.
"""

from __future__ import annotations

import asyncio

from wsbdd.runtime import Client, ClientManager, ConnectRequest
from wsbdd.runtime.transports.fake import FakeServer

URL = "ws://fake.test/ws"


def test_the_probe_sees_a_message_during_its_delivery(loop: asyncio.AbstractEventLoop) -> None:
    server = FakeServer()
    seen_during_push: list[bool] = []
    probed: list[int] = []

    async def main() -> object:
        manager = ClientManager(transports={"websocket": server})
        client = await manager.connect("A", ConnectRequest(URL))

        def push() -> None:
            server.peers[0].push('{"n": 1}')
            seen_during_push.append(bool(probed))

        def probe(c: Client) -> bool | None:
            if c.received:
                probed.append(len(c.received))
                return True
            return None

        asyncio.get_running_loop().call_soon(push)
        found = await client.wait(probe, 1.0)
        await manager.reset()
        return found

    assert loop.run_until_complete(main()) is True
    assert seen_during_push == [True]


def test_a_flood_in_one_turn_runs_the_probe_a_bounded_number_of_times(
    loop: asyncio.AbstractEventLoop,
) -> None:
    server = FakeServer()
    runs: list[int] = []

    async def main() -> object:
        manager = ClientManager(transports={"websocket": server})
        client = await manager.connect("A", ConnectRequest(URL))

        def flood() -> None:
            for i in range(1000):
                server.peers[0].push(f'{{"n": {i}}}')

        def probe(c: Client) -> bool | None:
            runs.append(len(c.received))
            return True if len(c.received) >= 1000 else None

        asyncio.get_running_loop().call_soon(flood)
        found = await client.wait(probe, 1.0)
        await manager.reset()
        return found

    assert loop.run_until_complete(main()) is True
    # Once at the start, once at the first message, once on the next turn.
    assert len(runs) <= 3, runs
    assert runs[-1] == 1000


def test_a_probe_error_reaches_the_waiting_step(loop: asyncio.AbstractEventLoop) -> None:
    server = FakeServer(welcome=["not json"])

    async def main() -> None:
        manager = ClientManager(transports={"websocket": server})
        client = await manager.connect("A", ConnectRequest(URL))

        def probe(c: Client) -> bool | None:
            if c.received:
                raise ValueError("bad probe")
            return None

        try:
            await client.wait(probe, 1.0)
        finally:
            await manager.reset()

    try:
        loop.run_until_complete(main())
    except ValueError as exc:
        assert str(exc) == "bad probe"
    else:
        raise AssertionError("the probe's error was lost")


def test_nothing_before_the_deadline_is_none(loop: asyncio.AbstractEventLoop) -> None:
    async def main() -> object:
        manager = ClientManager(transports={"websocket": FakeServer()})
        client = await manager.connect("A", ConnectRequest(URL))
        start = loop.time()
        found = await client.wait(lambda c: c.received or None, 0.05)
        assert loop.time() - start >= 0.05
        await manager.reset()
        return found

    assert loop.run_until_complete(main()) is None
