"""Slow consumers: closed with 1013, nobody else slowed or loses a message."""

from __future__ import annotations

import asyncio

from wsref_helpers import RawClient, client, close_code, publish, recv_type, run, serving, subscribe

BIG = "x" * 60_000
COUNT = 400


async def _scenario(*bugs: str) -> tuple[list[int], list[tuple[int, bytes]]]:
    async with serving(*bugs, queue_limit=5, close_timeout=3.0) as server:
        fast = await client(server, "bob")
        await subscribe(fast, "room:big")
        slow = await RawClient.open(server.port)
        slow.send_text('{"type":"subscribe","channel":"room:big"}')
        welcome_and_sub = [await slow.frame(), await slow.frame()]
        assert all(f is not None and f[0] == 1 for f in welcome_and_sub), welcome_and_sub
        sender = await client(server, "carol")
        got = []
        for i in range(COUNT):  # the fast client keeps up with the publisher
            await publish(sender, "room:big", BIG, n=i)
            got.append((await recv_type(fast, "message", 2.0))["n"])
        frames: list[tuple[int, bytes]] = []
        while len(frames) < COUNT and (frame := await slow.frame(3.0)) is not None:
            if frame[0] == 9:  # a keepalive ping
                continue
            frames.append(frame)
            if frame[0] == 8:
                break
        slow.close()
        return got, frames


def test_slow_consumer_closed_1013_others_unaffected() -> None:
    got, frames = run(_scenario())
    assert got == list(range(COUNT))
    assert frames and frames[-1][0] == 8, "slow client was not sent a close frame"
    assert close_code(frames[-1][1]) == 1013 and b"slow consumer" in frames[-1][1]
    assert len(frames) - 1 < COUNT


def test_no_backpressure_bug_never_closes_slow_consumer() -> None:
    async def main() -> tuple[list[int], list[tuple[int, bytes]]]:
        return await _scenario("no_backpressure")

    got, frames = run(main())
    assert got == list(range(COUNT))
    assert [op for op, _ in frames] == [1] * COUNT, "slow consumer should get everything"


def test_slow_consumer_does_not_delay_fast_ones() -> None:
    async def main() -> None:
        async with serving(queue_limit=1000) as server:
            slow = await RawClient.open(server.port)
            slow.send_text('{"type":"subscribe","channel":"room:big"}')
            fast = await client(server, "bob")
            await subscribe(fast, "room:big")
            sender = await client(server, "carol")
            loop = asyncio.get_running_loop()
            start = loop.time()
            for i in range(200):
                await publish(sender, "room:big", BIG, n=i)
                assert (await recv_type(fast, "message", 1.0))["n"] == i
            assert loop.time() - start < 5.0
            slow.close()

    run(main())
