"""Waiting for a change without polling: the one loop :class:`Client`,
:class:`ClientManager` and :class:`Crowd` share.

The owner keeps a list of futures; whoever waits adds one to it and sleeps
until the owner calls :func:`wake` (on every message, ping, pong, close or
lost connection) or the deadline passes. All of it runs on the loop thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from wsbdd.core.records import now

__all__ = ["wait_for_change", "wake"]

T = TypeVar("T")


def wake(waiters: list[asyncio.Future[None]]) -> None:
    """Wake every future in ``waiters`` and empty the list (kept in place)."""
    pending = waiters[:]
    waiters.clear()
    for waiter in pending:
        if not waiter.done():
            waiter.set_result(None)


async def wait_for_change(
    waiters: list[asyncio.Future[None]],
    probe: Callable[[], T | None],
    timeout: float,  # noqa: ASYNC109 - expiry is a result (None), not an error
    until: float | None = None,
) -> T | None:
    """Run ``probe`` now and after every :func:`wake`; its first non-None result, or None.

    The deadline is ``timeout`` seconds from now, or ``until`` (a
    :func:`wsbdd.core.records.now` time) when given: a caller on another thread
    passes ``until`` so that the time its request takes to reach a busy loop
    (a flood) does not push the deadline back. None means it passed first.
    """
    loop = asyncio.get_running_loop()
    if until is not None:
        timeout = until - now()
    deadline = loop.time() + timeout
    result = probe()
    if result is not None or timeout <= 0:
        return result
    # One timeout for the whole wait (not one timer per wake-up). Only its
    # own expiry means "deadline passed": a probe's TimeoutError propagates.
    window = asyncio.timeout_at(deadline)
    try:
        async with window:
            while True:
                waiter: asyncio.Future[None] = loop.create_future()
                waiters.append(waiter)
                try:
                    await waiter
                finally:
                    if not waiter.done():
                        waiter.cancel()
                    if waiter in waiters:  # cut off by the deadline (or cancelled)
                        waiters.remove(waiter)
                result = probe()
                if result is not None:
                    return result
    except TimeoutError:
        if window.expired():
            return None
        raise
