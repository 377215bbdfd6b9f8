"""Progress keeps writing plain lines while a crowd step waits without updates."""

from __future__ import annotations

import asyncio
import io

from wsbdd.runtime.progress import Progress, ticking


class _Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_tick_repeats_the_latest_state_once_the_plain_interval_passed() -> None:
    clock, out = _Clock(), io.StringIO()
    progress = Progress(out, style="plain", delay=1.0, plain_interval=5.0, clock=clock)
    progress.restart()
    progress.update("receiving", 3, 10)
    assert out.getvalue() == ""
    clock.t = 4.0
    progress.tick()
    assert out.getvalue() == ""
    clock.t = 5.5
    progress.tick()  # no update came in 5.5 s: the state is shown again
    assert out.getvalue() == "wsbdd: receiving 3/10 (5.5 s)\n"


def test_ticking_writes_lines_while_nothing_updates() -> None:
    lines: list[str] = []

    class Stream(io.StringIO):
        def write(self, text: str) -> int:
            lines.append(text)
            seen.set()
            return len(text)

    seen = asyncio.Event()

    async def run() -> None:
        progress = Progress(Stream(), style="plain", delay=0.0, plain_interval=0.05)
        progress.restart()
        progress.update("connecting", 0, 100)
        async with ticking(progress):
            await asyncio.wait_for(seen.wait(), 5.0)
        progress.finish()

    asyncio.run(run())
    assert lines[0].startswith("wsbdd: connecting 0/100 (")
    assert lines[-1].startswith("wsbdd: connecting 0/100 in ")


def test_ticking_does_nothing_without_progress() -> None:
    async def run() -> None:
        async with ticking(None):
            pass
        async with ticking(Progress(io.StringIO(), style="off")):
            pass

    asyncio.run(run())
