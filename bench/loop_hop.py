"""The step→loop hop: ``LoopThread.run`` vs. ``asyncio.run_coroutine_threadsafe``.

Every step reaches the run's event loop (a background thread) at least once,
so the hand-off's cost is paid several times a scenario. Both sides run the
same no-op coroutine on their own loop thread from the calling thread, wait
for its result and return it: wsbdd's ``LoopThread.run(coro, timeout)``
against the standard library's ``run_coroutine_threadsafe(coro, loop)
.result(timeout)`` (what ``LoopThread.run`` was before). Sides alternate
round by round; the figure is the median over rounds of microseconds per
call, wall clock, and the calling process's CPU per call beside it.

    .venv/bin/python bench/loop_hop.py            # 7 rounds of 20,000 calls
    .venv/bin/python bench/loop_hop.py --quick    # 3 rounds of 5,000
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, rounds_and_size

sys.path.insert(0, str(ROOT))

Hop = Callable[[], int]


async def _noop() -> int:
    return 1


def wsbdd_side() -> tuple[Hop, Callable[[], None]]:
    from wsbdd.runtime.loop import LoopThread

    thread = LoopThread("bench-hop")
    thread.start()
    return (lambda: thread.run(_noop(), 5.0)), thread.stop


def stdlib_side() -> tuple[Hop, Callable[[], None]]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def main() -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        loop.run_forever()

    runner = threading.Thread(target=main, daemon=True)
    runner.start()
    ready.wait()

    def stop() -> None:
        loop.call_soon_threadsafe(loop.stop)
        runner.join(5)
        loop.close()

    return (lambda: asyncio.run_coroutine_threadsafe(_noop(), loop).result(5.0)), stop


SIDES: dict[str, Callable[[], tuple[Hop, Callable[[], None]]]] = {
    "wsbdd": wsbdd_side,
    "run_coroutine_threadsafe": stdlib_side,
}


def timed(side: str, calls: int) -> tuple[float, float]:
    """Microseconds per call: wall clock and this process's CPU."""
    hop, stop = SIDES[side]()
    try:
        for _ in range(200):  # warm up
            hop()
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            hop()
        return ((time.perf_counter() - wall) / calls * 1e6,
                (time.process_time() - cpu) / calls * 1e6)
    finally:
        stop()


def main(argv: list[str] | None = None) -> int:
    rounds, calls = rounds_and_size(argv, __doc__, "call", quick=(3, 5000), full=(7, 20000))

    from results import emit

    print(f"step→loop hop: {rounds} alternating rounds of {calls} calls", flush=True)
    walls: dict[str, list[float]] = {side: [] for side in SIDES}
    cpus: dict[str, list[float]] = {side: [] for side in SIDES}
    names = tuple(SIDES)
    for round_ in range(rounds):
        for side in names if round_ % 2 == 0 else reversed(names):
            wall, cpu = timed(side, calls)
            walls[side].append(wall)
            cpus[side].append(cpu)
            print(f"  {side:26s} {wall:6.1f} µs a call wall, {cpu:6.1f} µs CPU", flush=True)
    ours = statistics.median(walls["wsbdd"])
    base = statistics.median(walls["run_coroutine_threadsafe"])
    emit("loop_hop", "step→loop hop, median µs a call (vs run_coroutine_threadsafe)",
         wsbdd=ours, baseline=base, unit="µs", compare="difference", target=0.0,
         at_most=True, cpu_wsbdd=statistics.median(cpus["wsbdd"]),
         cpu_baseline=statistics.median(cpus["run_coroutine_threadsafe"]),
         note="no slower than the standard library's hand-off")
    return 0


if __name__ == "__main__":
    sys.exit(main())
