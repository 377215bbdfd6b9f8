"""Held connections: wsbdd's crowd runtime vs. a bare ``websockets`` client.

Each side, in its own process against a fresh reference server, opens N
connections (200 at a time, same compression setting, no client pings) as
carol, holds them, and reports the opening rate and the resident memory per
held connection (RSS growth / N, after one warm-up connection). wsbdd opens
them as ``Given N clients are connected as carol`` does: one ``Crowd`` on the
run's loop thread through the ``Clients`` facade.

Targets: memory per connection <= 1.2 × bare; opening rate >= 0.9 × bare.

    .venv/bin/python bench/connections.py            # 10,000 connections, best of 2
    .venv/bin/python bench/connections.py --quick    # 2,000 connections, once
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Mapping
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
    rss,
    run_sides,
    verdict,
    worker_pool,
)


# ---------------------------------------------------------------------------- sides
async def bare(url: str, n: int, compression: str | None) -> dict[str, Any]:
    from websockets.asyncio.client import ClientConnection, connect

    warm = await connect(url, compression=compression, ping_interval=None, proxy=None)
    await warm.close()
    held: list[ClientConnection] = []

    async def hold() -> None:
        held.append(await connect(url, compression=compression, ping_interval=None, proxy=None))

    before = rss()
    start = time.perf_counter()
    await worker_pool(n, hold)
    elapsed = time.perf_counter() - start
    grown = rss() - before
    assert len(held) == n
    await asyncio.gather(*(ws.close() for ws in held))
    return {"rate": n / elapsed, "bytes_per_conn": grown / n, "failed": 0}


def wsbdd(url: str, n: int, compression: str | None) -> dict[str, Any]:
    from wsbdd.runtime import Clients
    from wsbdd.runtime.crowd import Crowd

    request = crowd_request(url, compression)
    with Clients() as clients:
        warm = Crowd(request, 1)
        clients.run(lambda m: open_crowd(m, warm), 30)
        clients.reset()
        before = rss()  # before the crowd's member records exist: they are part of the cost
        start = time.perf_counter()
        crowd = clients.loop.call(lambda: Crowd(request, n, concurrency=CONCURRENCY))
        report = clients.run(lambda m: open_crowd(m, crowd), 600)
        elapsed = time.perf_counter() - start
        grown = rss() - before
        clients.reset()
    return {"rate": n / elapsed, "bytes_per_conn": grown / n, "failed": report.failed}


# ---------------------------------------------------------------------------- driver
def show(figures: Mapping[str, float]) -> str:
    return (f"{figures['rate']:8,.0f} connections/s  "
            f"{figures['bytes_per_conn'] / 1024:6.1f} KiB per connection")


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "2,000 connections, once")
    parser.add_argument("-n", "--connections", type=int, default=None)
    args = parser.parse_args(argv)
    n = args.connections or (2000 if args.quick else 10_000)
    compression = compression_of(args)
    if args.child:
        from wsbdd.runtime.crowd import raise_fd_limit

        raise_fd_limit(n + 256)
        return child_main(args.child, lambda: bare(args.url, n, compression),
                          lambda: wsbdd(args.url, n, compression))

    repeat = args.repeat or (1 if args.quick else 2)
    print(f"held connections: {n} at {CONCURRENCY} at a time, compression "
          f"{args.compression}, best of {repeat}", flush=True)
    best = run_sides(__file__, ["-n", str(n), "--compression", args.compression],
                     repeat=repeat, what="connections", keys=("rate", "bytes_per_conn"),
                     lowest=("bytes_per_conn",), show=show)
    ok = verdict("connections", "memory per connection", best["wsbdd"]["bytes_per_conn"],
                 best["bare"]["bytes_per_conn"], 1.2, unit="bytes", at_most=True)
    ok &= verdict("connections", "opening rate", best["wsbdd"]["rate"], best["bare"]["rate"],
                  0.9, unit="connections/s", at_most=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
