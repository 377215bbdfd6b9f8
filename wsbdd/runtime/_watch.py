"""Waiting on one client with the probe run where the change happens (no extra task hop).

:func:`wait_for_change` (in :mod:`._wakeup`) wakes the waiting task on every
change and runs the probe there: one more loop turn between a message's
delivery and the probe that sees it. A client's waits use :func:`watch`
instead: the probe runs inside :func:`poke`, right after the message (ping,
pong, close) was recorded, and the waiting task is only woken with the result.

A flood must not run an O(inbox) probe once per message: after a probe runs,
further pokes in the same loop turn are only noted, and the probe runs once
more at the start of the next turn (:meth:`Watch._rearm`) when one came. The
probe may raise: the exception is handed to the waiting task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from wsbdd.core.records import now

__all__ = ["Watch", "poke", "watch"]

T = TypeVar("T")


class Watch(Generic[T]):
    """One waiting probe and the future its result goes to."""

    __slots__ = ("armed", "future", "loop", "pending", "probe")

    def __init__(
        self, probe: Callable[[], T | None], future: asyncio.Future[T], loop: Any
    ) -> None:
        self.probe = probe
        self.future = future
        self.loop = loop
        self.armed = True
        self.pending = False

    def poke(self) -> None:
        """Something changed: run the probe now, or once more next turn if it just ran."""
        if self.future.done():
            return
        if not self.armed:
            self.pending = True
            return
        self.armed = False
        self.loop.call_soon(self._rearm)
        try:
            result = self.probe()
        except BaseException as exc:  # handed to the waiting task
            self.future.set_exception(exc)
            return
        if result is not None:
            self.future.set_result(result)

    def _rearm(self) -> None:
        self.armed = True
        if self.pending:
            self.pending = False
            self.poke()


def poke(watches: list[Watch[Any]]) -> None:
    """Run every waiting probe of ``watches`` (see :meth:`Watch.poke`)."""
    for w in watches[:] if len(watches) > 1 else watches:
        w.poke()


async def watch(
    watches: list[Watch[Any]],
    probe: Callable[[], T | None],
    timeout: float,  # noqa: ASYNC109 - expiry is a result (None), not an error
    until: float | None = None,
) -> T | None:
    """``probe()``'s first non-None result, run now and at every :func:`poke`; None at the deadline.

    The deadline is ``timeout`` seconds from now, or the :func:`now` time
    ``until`` when given. Only this wait's own expiry means "deadline passed":
    a probe's ``TimeoutError`` propagates.
    """
    loop = asyncio.get_running_loop()
    if until is not None:
        timeout = until - now()
    result = probe()
    if result is not None or timeout <= 0:
        return result
    future: asyncio.Future[T] = loop.create_future()
    entry = Watch(probe, future, loop)
    watches.append(entry)
    window = asyncio.timeout_at(loop.time() + timeout)
    try:
        async with window:
            return await future
    except TimeoutError:
        if not window.expired():
            raise
        if future.done() and not future.cancelled() and future.exception() is None:
            return future.result()  # found just before the deadline woke us
        return None
    finally:
        if not future.done():
            future.cancel()
        if entry in watches:
            watches.remove(entry)
