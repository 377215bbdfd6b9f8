"""The expectation that no (matching) message arrives for a while."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsbdd.core.expectations.verdicts import (
    PENDING,
    Expectation,
    Failed,
    Failure,
    Satisfied,
    Verdict,
    View,
)
from wsbdd.core.matching import describe_expected, matches
from wsbdd.core.records import Message
from wsbdd.core.timing import format_duration

__all__ = ["NoneWithin"]


class NoneWithin(Expectation[None]):
    """No unconsumed message (matching ``expected``, when given) during ``duration``.

    Nor before it: the first feed is the whole inbox. ``start`` is when the
    step started; a close does not end the wait (nothing arriving is the point).
    """

    def __init__(self, name: str, expected: Any | None, duration: float, start: float) -> None:
        self.name, self.expected, self.duration, self.start = name, expected, duration, start

    def _accept(self, message: Message) -> bool:
        if self.expected is None:
            return True
        return message.is_json and matches(self.expected, message.payload)

    def on_messages(self, messages: Sequence[Message]) -> Verdict[None]:
        """Failed by the first (matching) message."""
        found = next((m for m in messages if self._accept(m)), None)
        if found is None:
            return PENDING
        what = (
            "no message"
            if self.expected is None
            else f"no message matching {describe_expected(self.expected)}"
        )
        return Failed(
            Failure(
                f"client {self.name} expected {what} for {format_duration(self.duration)}, "
                f"but received #{found.index} at "
                f"+{format_duration(max(0.0, found.received_at - self.start))} "
                f"after the step started: {found.display()}"
            )
        )

    def on_deadline(self, view: View) -> Verdict[None]:
        """Quiet all along."""
        return Satisfied(None)
