"""Receiving a broadcast: wsbdd's crowd runtime vs. bare ``websockets`` subscribers.

Each side, in its own process against a fresh reference server, connects
1,000 subscribers of ``room:bench`` as carol (``Given 1000 clients are
connected as carol and subscribed to room:bench``: the subscribe ack is
awaited). A publisher (a plain websockets connection, the same on both sides)
then sends ``--burst`` messages per round; a round ends when every subscriber
has recorded every message. Messages recorded per second = messages ×
subscribers / elapsed. A bare subscriber records a message by reading it
(``async for``) and counting it; a crowd member counts it with its arrival
stamp as the frame is parsed.

Target: messages recorded per second >= 0.8 × bare.

    .venv/bin/python bench/broadcast_receive.py            # 1,000 subscribers, best of 2
    .venv/bin/python bench/broadcast_receive.py --quick    # fewer rounds, once
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    CONCURRENCY,
    bench_parser,
    child_main,
    compression_of,
    crowd_request,
    open_crowd,
    run_sides,
    verdict,
    worker_pool,
)

CHANNEL = "room:bench"
SUBSCRIBE = json.dumps({"type": "subscribe", "channel": CHANNEL})


async def publish_rounds(
    url: str, rounds: int, burst: int, all_recorded: Callable[[int], Awaitable[None]]
) -> float:
    """Publish ``rounds`` × ``burst`` messages; seconds until all were recorded (after warm-up)."""
    from websockets.asyncio.client import connect

    publisher = await connect(url, compression=None, ping_interval=None, max_queue=None,
                              proxy=None)
    sent = 0

    async def round_trip() -> None:
        nonlocal sent
        for i in range(burst):
            await publisher.send(json.dumps({"type": "message", "channel": CHANNEL,
                                             "text": "x" * 64, "mark": i}))
        sent += burst
        await asyncio.wait_for(all_recorded(sent), 120)

    await round_trip()  # warm-up
    start = time.perf_counter()
    for _ in range(rounds):
        await round_trip()
    elapsed = time.perf_counter() - start
    await publisher.close()
    return elapsed


async def bare(url: str, n: int, rounds: int, burst: int, compression: str | None
               ) -> dict[str, Any]:
    from websockets.asyncio.client import ClientConnection, connect

    recorded = 0
    target = n  # first the n subscribe acks, then the messages
    reached = asyncio.Event()
    readers: list[asyncio.Task[None]] = []
    held: list[ClientConnection] = []

    def count() -> None:
        nonlocal recorded
        recorded += 1
        if recorded >= target:
            reached.set()

    async def read(ws: ClientConnection) -> None:
        async for raw in ws:
            if json.loads(raw).get("type") == "subscribed":
                count()
                break
        async for _ in ws:
            count()

    async def join() -> None:
        ws = await connect(url, compression=compression, ping_interval=None, proxy=None)
        held.append(ws)
        await ws.send(SUBSCRIBE)
        readers.append(asyncio.create_task(read(ws)))

    await worker_pool(n, join)
    await asyncio.wait_for(reached.wait(), 60)
    base = recorded

    async def all_recorded(total: int) -> None:
        nonlocal target
        target = base + total * n
        if recorded < target:
            reached.clear()
            await reached.wait()

    elapsed = await publish_rounds(url, rounds, burst, all_recorded)
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in held))
    return {"rate": rounds * burst * n / elapsed, "failed": 0}


def wsbdd(url: str, n: int, rounds: int, burst: int, compression: str | None
          ) -> dict[str, Any]:
    from wsbdd.runtime import Clients
    from wsbdd.runtime.crowd import Crowd, CrowdExchange

    request = crowd_request(url, compression)
    subscribe = CrowdExchange(
        SUBSCRIBE, f"subscription to {CHANNEL}",
        ack=lambda p: p.get("type") == "subscribed" and p.get("channel") == CHANNEL,
        reject=lambda p: p.get("type") == "error",
    )
    with Clients() as clients:
        crowd = clients.loop.call(
            lambda: Crowd(request, n, concurrency=CONCURRENCY, greeting=[subscribe]))
        report = clients.run(lambda m: open_crowd(m, crowd), 300)
        base = crowd.received

        async def all_recorded(total: int) -> None:
            # the crowd lives on the facade's loop thread: wait there
            async def wait() -> bool:
                return await crowd.wait_until(lambda: crowd.received - base >= total * n, 120)

            future = asyncio.run_coroutine_threadsafe(wait(), clients.loop.loop)
            assert await asyncio.wrap_future(future)

        elapsed = asyncio.run(publish_rounds(url, rounds, burst, all_recorded))
        clients.reset()
    return {"rate": rounds * burst * n / elapsed, "failed": report.failed}


def show(figures: Mapping[str, float]) -> str:
    return f"{figures['rate']:10,.0f} messages recorded/s"


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "fewer rounds, once")
    parser.add_argument("-n", "--subscribers", type=int, default=1000)
    parser.add_argument("--burst", type=int, default=20, help="messages per round")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args(argv)
    n, burst = args.subscribers, args.burst
    rounds = args.rounds or (5 if args.quick else 20)
    compression = compression_of(args)
    if args.child:
        return child_main(args.child, lambda: bare(args.url, n, rounds, burst, compression),
                          lambda: wsbdd(args.url, n, rounds, burst, compression))

    repeat = args.repeat or (1 if args.quick else 2)
    print(f"broadcast receive: {n} subscribers of {CHANNEL}, {rounds} rounds × "
          f"{burst} messages, compression {args.compression}, best of {repeat}", flush=True)
    child = ["-n", str(n), "--rounds", str(rounds), "--burst", str(burst),
             "--compression", args.compression]
    best = run_sides(__file__, child, repeat=repeat, what="subscribers", keys=("rate",),
                     show=show)
    ok = verdict("broadcast_receive", "messages recorded per second", best["wsbdd"]["rate"],
                 best["bare"]["rate"], 0.8, unit="messages/s", at_most=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
