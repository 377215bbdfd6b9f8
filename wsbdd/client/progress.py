"""A one-line progress display for long crowd operations ("connecting 3400/10000, 12 failed").

The line is written to the process's real stderr (``sys.__stderr__``: behave
captures ``sys.stderr`` during a step) and only when that is a terminal, so
CI logs and the behave output stay clean. It appears once an operation has
run for ``delay`` seconds, is redrawn at most every ``interval`` seconds, and
is erased when the operation ends, leaving the cursor where it was.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from wsbdd.model import now

__all__ = ["Progress"]


class Progress:
    """A self-overwriting status line; silent unless ``stream`` is a TTY.

    ``stream`` defaults to ``sys.__stderr__``; ``clock`` to ``wsbdd.model.now``
    (both injectable for tests). Call :meth:`update` as often as you like and
    :meth:`finish` at the end.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        delay: float = 1.0,
        interval: float = 0.1,
        clock: Callable[[], float] = now,
    ) -> None:
        self.stream = stream if stream is not None else sys.__stderr__
        self.enabled = _is_tty(self.stream)
        self.delay = delay
        self.interval = interval
        self._clock = clock
        self._started = clock()
        self._drawn_at: float | None = None
        self._width = 0

    def restart(self) -> None:
        """A new operation begins: the ``delay`` counts from now."""
        self.finish()
        self._started = self._clock()

    def update(self, verb: str, done: int, total: int, failed: int = 0) -> None:
        """Show ``"<verb> <done>/<total>[, <failed> failed]"`` (throttled)."""
        if not self.enabled:
            return
        at = self._clock()
        if at - self._started < self.delay:
            return
        if self._drawn_at is not None and at - self._drawn_at < self.interval and done < total:
            return
        text = f"{verb} {done}/{total}" + (f", {failed} failed" if failed else "")
        self._write("\r" + text.ljust(self._width))
        self._width = len(text)
        self._drawn_at = at

    def finish(self) -> None:
        """Erase the line if it was drawn."""
        if self._drawn_at is None:
            return
        self._write("\r" + " " * self._width + "\r")
        self._drawn_at = None
        self._width = 0

    def _write(self, text: str) -> None:
        stream = self.stream
        if stream is None:
            return
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            self.enabled = False  # the terminal went away: stay quiet


def _is_tty(stream: TextIO | None) -> bool:
    if stream is None:
        return False
    try:
        return bool(stream.isatty())
    except (OSError, ValueError):
        return False
