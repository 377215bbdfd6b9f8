"""SIGINT (Ctrl-C) and SIGTERM go to one handler while a command runs, whatever it inherited.

A process may start with SIGINT ignored (a background job of a shell script)
or with both signals blocked (its parent's signal mask; both survive exec).
Python's own Ctrl-C handling then never fires and a command would run on.
:func:`stop_signals_to` installs the handler for both and unblocks them, and
puts everything back as it was afterwards. ``wsbdd run``, its ``-j``
supervisor and ``wsbdd report --serve`` stop through it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Final

__all__ = ["STOP_SIGNALS", "stop_signals_to"]

STOP_SIGNALS: Final = (signal.SIGTERM, signal.SIGINT)

Handler = Callable[[int, FrameType | None], Any]


@contextmanager
def stop_signals_to(handler: Handler) -> Iterator[None]:
    """While inside, SIGINT and SIGTERM call ``handler`` (main thread only: elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for sig, old in previous.items():
            signal.signal(sig, old)
