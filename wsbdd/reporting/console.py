"""The console of ``wsbdd run``: everything behave prints passes through the run's redactor.

:class:`RedactingStream` wraps ``sys.stdout`` / ``sys.stderr`` for the time of
a run. It writes whole lines (a secret is never split across two writes),
each redacted by :func:`~wsbdd.reporting.redaction_scope.current_redactor`
at the moment it is printed, so secrets learnt while the step ran (tokens
of its table, values the server issued) are hidden in its result too.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from wsbdd.reporting.redaction_scope import current_redactor

__all__ = ["RedactingStream", "redacted_console"]


class RedactingStream(io.TextIOBase):
    """A text stream that redacts each line before passing it on to ``target``."""

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target
        self._pending = ""

    @property
    def target(self) -> TextIO:
        """The stream written to."""
        return self._target

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", "utf-8") or "utf-8"

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    def writable(self) -> bool:
        return True

    def _emit(self, text: str) -> None:
        redactor = current_redactor()
        self._target.write(redactor.text(text) if redactor is not None and text else text)

    def write(self, text: str) -> int:
        pending = self._pending + text
        cut = pending.rfind("\n") + 1
        if cut:
            self._emit(pending[:cut])
        self._pending = pending[cut:]
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._emit(self._pending)
            self._pending = ""
        self._target.flush()


@contextmanager
def redacted_console() -> Iterator[None]:
    """Redact ``sys.stdout`` and ``sys.stderr`` while the block runs."""
    import sys

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(saved[0]), RedactingStream(saved[1])
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = saved
