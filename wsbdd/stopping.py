"""How ``wsbdd run`` stops on SIGTERM and SIGINT (Ctrl-C): at once, cleanly, with a report.

While :func:`stop_on_signals` is active (``wsbdd run`` wraps behave in it):

1. the first SIGTERM or SIGINT raises :class:`KeyboardInterrupt` in the main
   thread at once, even in the middle of a step's wait: behave marks the step
   and its scenario as interrupted and skips the rest; the hooks still run, so
   every client is closed, the scenario's transcripts are attached, the
   Allure results of what ran are written and ``after_all`` stops the
   embedded server (and a server command, with its whole process group);
2. should that take longer than :data:`GRACE` seconds, or on a second
   signal, every server the run started is stopped at once and the process
   exits (status 128 + the signal number).

The run then exits with status 130 (SIGINT) or 143 (SIGTERM).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Final

from wsbdd.stop_signals import stop_signals_to

__all__ = ["GRACE", "Interruption", "stop_on_signals"]

GRACE: Final = 4.0
"""Seconds the orderly stop may take before the servers are stopped and the run exits."""


@dataclass
class Interruption:
    """Which signal stopped the run (``None``: it was not stopped)."""

    signum: int | None = None

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum is not None else ""

    @property
    def exit_status(self) -> int:
        return 128 + self.signum if self.signum is not None else 0


def _emergency(interruption: Interruption) -> None:
    from wsbdd.server.managed import stop_every_server

    stop_every_server(timeout=0.5)
    print(
        f"wsbdd run: {interruption.name}: the run did not stop within {GRACE:g} s; "
        "servers stopped, exiting",
        file=sys.__stderr__,
        flush=True,
    )
    os._exit(interruption.exit_status)


@contextmanager
def stop_on_signals(
    grace: float = GRACE, emergency: Callable[[Interruption], None] = _emergency
) -> Iterator[Interruption]:
    """Stop the block at the first SIGTERM or SIGINT (see the module help).

    Outside the main thread (signals cannot be handled there) it does nothing.
    """
    interruption = Interruption()
    if threading.current_thread() is not threading.main_thread():
        yield interruption
        return
    done = threading.Event()

    def watchdog() -> None:
        if not done.wait(grace):
            emergency(interruption)

    def handler(signum: int, frame: FrameType | None) -> None:
        if interruption.signum is not None:
            emergency(interruption)
            return
        interruption.signum = signum
        threading.Thread(target=watchdog, name="wsbdd-stop-watchdog", daemon=True).start()
        raise KeyboardInterrupt(f"stopped by {interruption.name}")

    try:
        with stop_signals_to(handler):
            yield interruption
    except KeyboardInterrupt:
        if interruption.signum is None:
            raise
    finally:
        done.set()
        if interruption.signum is not None:  # after_all may not have run: no orphans
            from wsbdd.server.managed import stop_every_server

            stop_every_server(timeout=1.0)
