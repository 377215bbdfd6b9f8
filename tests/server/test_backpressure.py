"""Slow consumers: closed with 1013, nobody else slowed or loses a message."""

from __future__ import annotations

import asyncio
import json

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


def test_fan_out_mixing_direct_and_queued_writes_keeps_order_and_counts() -> None:
    """A subscriber whose socket is full is queued, the others written at once, in one publish.

    The slow raw client reads nothing while the first batch is published (its
    frames go to its queue after the first ones), drains, then a second batch
    starts with direct writes again: it still receives every frame, in seq
    order, and every delivery is counted once (``/metrics`` deliveries and the
    outboxes' sent frames).
    """

    async def main() -> None:
        async with serving(queue_limit=1000) as server:
            hub = server.hub
            assert hub is not None
            slow = await RawClient.open(server.port, rcvbuf=4096)
            slow.send_text('{"type":"subscribe","channel":"room:mix"}')
            assert [await slow.frame(), await slow.frame()] != [None, None]
            fast = await client(server, "bob")
            await subscribe(fast, "room:mix")
            sender = await client(server, "carol")
            loop = asyncio.get_running_loop()

            def sent() -> int:
                return sum(s.outbox.sent for s in hub.sessions)

            async def settled(want: int) -> None:  # the writers finish their last send
                deadline = loop.time() + 5.0
                while sent() != want or any(len(s.outbox) for s in hub.sessions):
                    assert loop.time() < deadline, f"sent {sent()} frames, expected {want}"
                    await asyncio.sleep(0.01)

            seqs: list[int] = []
            for batch in (range(0, 40), range(40, 80)):
                delivered, before = hub.delivered, sent()
                for i in batch:
                    await publish(sender, "room:mix", BIG, n=i)
                    assert (await recv_type(fast, "message", 2.0))["n"] == i
                queued = sum(len(s.outbox) for s in hub.sessions)
                if batch.start == 0:
                    assert queued > 0, "the slow subscriber's frames were never queued"
                got = 0
                while got < len(batch):
                    frame = await slow.frame(3.0)
                    assert frame is not None and frame[0] == 1, frame
                    payload = json.loads(frame[1])
                    if payload["type"] == "message":  # bob's presence came first
                        seqs.append(payload["seq"])
                        got += 1
                assert hub.delivered - delivered == 2 * len(batch)
                await settled(before + 2 * len(batch))
            assert seqs == list(range(seqs[0], seqs[0] + 80)), seqs
            slow.close()

    run(main())
