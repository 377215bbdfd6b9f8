"""Progress of long operations: crowds, cycles, storms, many sends ("connecting 3400/10000").

Written to the process's real stderr (``sys.__stderr__``: behave captures
``sys.stderr`` during a step), in one of two styles:

* **terminal** (stderr is a TTY): one self-overwriting line that appears once
  an operation has run for ``delay`` seconds, is redrawn at most every
  ``interval`` seconds and is erased when the operation ends;
* **plain** (no TTY, as in CI): a whole line every ``plain_interval`` seconds
  while the operation runs, then a summary line when an operation that ran
  for ``delay`` seconds or more ends, so a CI log shows a long step moving::

      wsbdd: connecting 3400/10000, 12 failed (5.0 s)
      wsbdd: connecting 10000/10000 in 12.3 s, 12 failed

Short operations write nothing in either style. :func:`ticking` keeps the
lines coming while an operation waits without updates (a stalled handshake
wave, a crowd waiting for a broadcast), so a CI log never goes quiet.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal, TextIO

from wsbdd.core.records import now

__all__ = ["PREFIX", "Progress", "Style", "ticking"]

Style = Literal["terminal", "plain", "off"]
"""How progress is shown: a live line, whole lines for logs, or not at all."""

PREFIX = "wsbdd: "
"""What every plain progress line starts with, so a CI log tells it from behave's output."""


@dataclass
class _State:
    verb: str
    done: int
    total: int
    failed: int


class Progress:
    """Progress of one operation at a time, in the style its stream calls for.

    ``stream`` defaults to ``sys.__stderr__``; ``style`` to ``"terminal"`` when
    the stream is a TTY, else ``"plain"``; ``clock`` to ``wsbdd.core.records.now``
    (all injectable for tests). Call :meth:`restart` when an operation
    begins, :meth:`update` as often as you like, and :meth:`finish` at the end.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        style: Style | None = None,
        delay: float = 1.0,
        interval: float = 0.1,
        plain_interval: float = 5.0,
        clock: Callable[[], float] = now,
    ) -> None:
        self.stream = stream if stream is not None else sys.__stderr__
        if style is None:
            style = "terminal" if _is_tty(self.stream) else "plain"
        self.style: Style = style if self.stream is not None else "off"
        self.delay = delay
        self.interval = interval
        self.plain_interval = plain_interval
        self._clock = clock
        self._started = clock()
        self._state: _State | None = None
        self._drawn_at: float | None = None
        self._width = 0

    @property
    def enabled(self) -> bool:
        """Whether anything is ever written."""
        return self.style != "off"

    def restart(self) -> None:
        """A new operation begins: the ``delay`` counts from now."""
        self.finish()
        self._started = self._clock()

    def update(self, verb: str, done: int, total: int, failed: int = 0) -> None:
        """``<verb> <done>/<total>[, <failed> failed]`` so far (throttled)."""
        if self.style == "off":
            return
        self._state = _State(verb, done, total, failed)
        at = self._clock()
        elapsed = at - self._started
        if self.style == "plain":
            last = self._drawn_at if self._drawn_at is not None else self._started
            if at - last >= self.plain_interval and done < total:
                self._write(f"{PREFIX}{_counts(self._state)} ({elapsed:.1f} s)\n")
                self._drawn_at = at
            return
        if elapsed < self.delay:
            return
        if self._drawn_at is not None and at - self._drawn_at < self.interval and done < total:
            return
        text = _counts(self._state)
        self._write("\r" + text.ljust(self._width))
        self._width = len(text)
        self._drawn_at = at

    def tick(self) -> None:
        """Show the latest state again if it is due (time passed without updates)."""
        state = self._state
        if state is not None:
            self.update(state.verb, state.done, state.total, state.failed)

    def finish(self) -> None:
        """The operation ended: erase the live line, or write the plain summary line."""
        state, self._state = self._state, None
        drawn, self._drawn_at = self._drawn_at, None
        if self.style == "terminal" and drawn is not None:
            self._write("\r" + " " * self._width + "\r")
        elif self.style == "plain" and state is not None:
            elapsed = self._clock() - self._started
            if elapsed >= self.delay:
                failed = f", {state.failed} failed" if state.failed else ""
                self._write(
                    f"{PREFIX}{state.verb} {state.done}/{state.total} in {elapsed:.1f} s{failed}\n"
                )
        self._width = 0

    def _write(self, text: str) -> None:
        stream = self.stream
        if stream is None:
            return
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            self.style = "off"  # the stream went away: stay quiet


def _counts(state: _State) -> str:
    failed = f", {state.failed} failed" if state.failed else ""
    return f"{state.verb} {state.done}/{state.total}{failed}"


def _is_tty(stream: TextIO | None) -> bool:
    if stream is None:
        return False
    try:
        return bool(stream.isatty())
    except (OSError, ValueError):
        return False


@contextlib.asynccontextmanager
async def ticking(progress: Progress | None) -> AsyncIterator[None]:
    """While the block runs, :meth:`Progress.tick` every ``interval`` (or plain interval)."""
    period = 0.0
    if progress is not None and progress.enabled:
        period = progress.plain_interval if progress.style == "plain" else progress.interval
    if progress is None or period <= 0:  # silent, or every update is a line already
        yield
        return

    async def tick() -> None:
        while True:
            await asyncio.sleep(period)  # a periodic redraw, not a synchronisation
            progress.tick()

    task = asyncio.get_running_loop().create_task(tick())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
