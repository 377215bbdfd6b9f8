"""Connect/disconnect cycles: wsbdd's crowd runtime vs. a bare ``websockets`` client.

Each side, in its own process against a fresh reference server, runs M
cycles (open as carol, then close with a closing handshake), 200 at a time,
same compression setting, no client pings. wsbdd runs them as ``When M
clients connect and disconnect, 200 at a time`` does (``Crowd.cycle`` on the
loop thread, through the ``Clients`` facade), counting failures.

Target: cycles per second >= 0.9 × bare.

    .venv/bin/python bench/cycles.py            # 10,000 cycles, best of 2
    .venv/bin/python bench/cycles.py --quick    # 2,000 cycles, once
"""

from __future__ import annotations

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
    run_sides,
    verdict,
    worker_pool,
)


async def bare(url: str, m: int, compression: str | None) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    warm = await connect(url, compression=compression, ping_interval=None, proxy=None)
    await warm.close()
    failed = 0

    async def cycle() -> None:
        nonlocal failed
        try:
            ws = await connect(url, compression=compression, ping_interval=None, proxy=None)
        except Exception:
            failed += 1
            return
        await ws.close()

    start = time.perf_counter()
    await worker_pool(m, cycle)
    elapsed = time.perf_counter() - start
    return {"rate": m / elapsed, "failed": failed}


def wsbdd(url: str, m: int, compression: str | None) -> dict[str, Any]:
    from wsbdd.runtime import ClientManager, Clients
    from wsbdd.runtime.crowd import Crowd, CrowdReport

    request = crowd_request(url, compression)
    with Clients() as clients:

        async def cycle(manager: ClientManager, total: int) -> CrowdReport:
            crowd = manager.add_crowd(Crowd(request, 0))
            return await crowd.cycle(total, CONCURRENCY)

        clients.run(lambda manager: cycle(manager, 1), 30)  # warm-up
        start = time.perf_counter()
        report = clients.run(lambda manager: cycle(manager, m), 600)
        elapsed = time.perf_counter() - start
        clients.reset()
    return {"rate": m / elapsed, "failed": report.failed}


def show(figures: Mapping[str, float]) -> str:
    return f"{figures['rate']:8,.0f} cycles/s"


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "2,000 cycles, once")
    parser.add_argument("-m", "--cycles", type=int, default=None)
    args = parser.parse_args(argv)
    m = args.cycles or (2000 if args.quick else 10_000)
    compression = compression_of(args)
    if args.child:
        return child_main(args.child, lambda: bare(args.url, m, compression),
                          lambda: wsbdd(args.url, m, compression))

    repeat = args.repeat or (1 if args.quick else 2)
    print(f"connect/disconnect cycles: {m} at {CONCURRENCY} at a time, compression "
          f"{args.compression}, best of {repeat}", flush=True)
    best = run_sides(__file__, ["-m", str(m), "--compression", args.compression],
                     repeat=repeat, what="cycles", keys=("rate",), show=show)
    ok = verdict("cycles", "connect/disconnect rate", best["wsbdd"]["rate"],
                 best["bare"]["rate"], 0.9, unit="cycles/s", at_most=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
