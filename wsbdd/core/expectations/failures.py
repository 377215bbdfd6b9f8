"""The failure of a wait that ended without what it waited for.

It names the client, the expectation and its deadline, how long it waited,
the closest message and a diff (when a JSON value was expected), the last
messages that did arrive and how the connection ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsbdd.core.deadlines import Deadline
from wsbdd.core.expectations.verdicts import Failure, View
from wsbdd.core.matching import Mismatch, WaitFailure, closest, render_wait_failure
from wsbdd.core.records import Message

__all__ = ["CLOSEST_SEARCHED", "wait_failure"]

CLOSEST_SEARCHED = 2000
"""A failure shows the closest of the latest this-many unconsumed messages."""


def wait_failure(
    name: str,
    expectation: str,
    deadline: Deadline,
    view: View,
    expected: Any = None,
    extra: Sequence[str] = (),
    messages: Sequence[Message] | None = None,
    closest_note: str | None = None,
    nearest: tuple[Message, list[Mismatch]] | None = None,
) -> Failure:
    """Client ``name`` did not ``expectation`` by ``deadline``, as ``view`` shows it.

    ``messages`` replaces the inbox as what is shown; ``expected`` (a JSON
    value) lets the failure show the closest message and its diff;
    ``nearest`` is that closest message when the caller knows it better.
    """
    shown = list(view.inbox) if messages is None else list(messages)
    if nearest is None and expected is not None:
        # The closest message is searched among the latest ones only: on a
        # flood, a search of every message would outlast the wait itself.
        nearest = closest(shown[-CLOSEST_SEARCHED:], expected)
    text = render_wait_failure(
        WaitFailure(
            client=name,
            expectation=f"{expectation} {deadline.describe()}",
            waited=view.at - deadline.origin,
            messages=shown,
            expected=expected,
            close=view.close,
            origin=deadline.origin,
            origin_label=deadline.reference,
            extra=tuple(extra),
            nearest=nearest,
            closest_note=closest_note,
        )
    )
    return Failure(
        text,
        client=name,
        expected=expected,
        closest=nearest[0] if nearest else None,
        diff=tuple(nearest[1]) if nearest else (),
    )
