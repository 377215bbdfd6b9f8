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
:class:`~wsbdd.exceptions.ExpectationFailed` (``closest``, ``diff``: the
failure attachments are written already; the message keeps the explanation).
"""

from __future__ import annotations

import traceback
from types import TracebackType
from typing import Any

from wsbdd.exceptions import ExpectationFailed

__all__ = ["release_exception", "release_scenario"]


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


def release_scenario(scenario: Any) -> None:
    """Forget the frames and big fields behave keeps of ``scenario`` and its steps."""
    _release(scenario)
    steps = getattr(scenario, "all_steps", None)
    for step in list(steps) if steps is not None else getattr(scenario, "steps", []):
        _release(step)
