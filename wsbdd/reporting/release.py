"""Letting go of a finished scenario: nothing of it survives in what behave keeps.

behave keeps every failed step's exception and traceback until the end of
the run; the traceback's frames hold the step's locals, and through them
the whole scenario session (its clients, their inboxes and transcripts). A
run of failing flood scenarios would keep every flood in memory.

:func:`release_scenario` runs at the end of ``after_scenario``, once the
report has what it needs. For the scenario, its background and each of its
steps it replaces the traceback by its text (the Allure trace stays the
same), clears the traceback's frames, drops ``__traceback__`` along the
exception's chain, and drops the big structured fields of an
:class:`~wsbdd.core.exceptions.ExpectationFailed` (``closest``, ``diff``: the
failure attachments are written already; the message keeps the explanation).

A closed connection's objects (websockets' protocol, asyncio's transport
and exceptions) form reference cycles that still reach its client and its
messages: only a full garbage collection frees them, and Python runs one
rarely. After a scenario whose clients received at least
:data:`COLLECT_AFTER_MESSAGES` messages or :data:`COLLECT_AFTER_BYTES`
bytes, :func:`release_scenario` runs one
(tens of milliseconds, next to the flood's own cost), so floods do not pile
up from one scenario to the next.
"""

from __future__ import annotations

import gc
import traceback
from types import TracebackType
from typing import Any

from wsbdd.core.exceptions import ExpectationFailed

__all__ = ["COLLECT_AFTER_BYTES", "COLLECT_AFTER_MESSAGES", "release_exception", "release_scenario"]

COLLECT_AFTER_MESSAGES = 10_000
"""A scenario whose clients received this many messages is followed by a full collection."""
COLLECT_AFTER_BYTES = 4 * 2**20
"""... or this many bytes (characters)."""


def release_exception(error: BaseException | None) -> None:
    """Clear the frames of ``error`` and of the exceptions it was raised from."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if error.__traceback__ is not None:
            traceback.clear_frames(error.__traceback__)
            error.__traceback__ = None
        if isinstance(error, ExpectationFailed):
            error.closest = None
            error.diff = ()
        error = error.__cause__ or error.__context__


def _release(element: Any) -> None:
    trace = getattr(element, "exc_traceback", None)
    if isinstance(trace, TracebackType):
        element.exc_traceback = ["".join(traceback.format_tb(trace)).rstrip("\n")]
        traceback.clear_frames(trace)
    release_exception(getattr(element, "exception", None))


def release_scenario(scenario: Any, received: tuple[int, int] = (0, 0)) -> None:
    """Forget the frames and big fields behave keeps of ``scenario`` and its steps.

    ``received``: how many messages and bytes its clients received (a flood: collect).
    """
    _release(scenario)
    steps = getattr(scenario, "all_steps", None)
    for step in list(steps) if steps is not None else getattr(scenario, "steps", []):
        _release(step)
    messages, size = received
    if messages >= COLLECT_AFTER_MESSAGES or size >= COLLECT_AFTER_BYTES:
        gc.collect()
