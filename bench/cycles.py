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

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    CONCURRENCY,
    alternate,
    bench_parser,
    best,
    compression_of,
    reference_server,
    run_child,
    verdict,
)


async def bare(url: str, m: int, compression: str | None) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    warm = await connect(url, compression=compression, ping_interval=None)
    await warm.close()
    todo = iter(range(m))
    failed = 0

    async def worker() -> None:
        nonlocal failed
        for _ in todo:
            try:
                ws = await connect(url, compression=compression, ping_interval=None)
            except Exception:
                failed += 1
                continue
            await ws.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - start
    return {"rate": m / elapsed, "failed": failed}


def wsbdd(url: str, m: int, compression: str | None) -> dict[str, Any]:
    from wsbdd.client import ClientManager, Clients, ConnectRequest
    from wsbdd.client.crowd import Crowd, CrowdReport

    request = ConnectRequest(url, compression="deflate" if compression else None)
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


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "2,000 cycles, once")
    parser.add_argument("-m", "--cycles", type=int, default=None)
    args = parser.parse_args(argv)
    m = args.cycles or (2000 if args.quick else 10_000)
    compression = compression_of(args)
    if args.child:
        if args.child == "bare":
            result = asyncio.run(bare(args.url, m, compression))
        else:
            result = wsbdd(args.url, m, compression)
        print(json.dumps(result))
        return 0

    repeat = args.repeat or (1 if args.quick else 2)
    print(f"connect/disconnect cycles: {m} at {CONCURRENCY} at a time, compression "
          f"{args.compression}, best of {repeat}", flush=True)
    results: dict[str, list[dict[str, Any]]] = {"bare": [], "wsbdd": []}
    for side in alternate(repeat):
        with reference_server() as url:
            result = run_child(__file__, side, url, ["-m", str(m), "--compression",
                                                     args.compression])
        if result["failed"]:
            raise SystemExit(f"{side}: {result['failed']} cycles failed")
        results[side].append(result)
        print(f"  {side:6s} {result['rate']:8,.0f} cycles/s", flush=True)
    rate = {side: best(results[side], "rate") for side in results}
    print(f"bare websockets: {rate['bare']:8,.0f} cycles/s")
    print(f"wsbdd crowd:     {rate['wsbdd']:8,.0f} cycles/s")
    ok = verdict("cycles", "connect/disconnect rate", rate["wsbdd"], rate["bare"], 0.9,
                 unit="cycles/s", at_most=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
