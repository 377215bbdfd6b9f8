"""When a wait ends, and the instant "within T" is measured from.

Timing rule: "within T" is measured from the scenario's most recent trigger
(the last send, publish or HTTP request of any client) to the message's
*arrival* stamp, not from the moment the step started.
"""

from __future__ import annotations

from dataclasses import dataclass

from wsbdd.core.records import now
from wsbdd.core.timing import format_duration

__all__ = ["Deadline"]


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a wait ends, and the instant "within T" is measured from.

    ``limit`` is the T of "within T" (None when the step has no "within" and
    the default timeout applies, measured from the step's start).
    """

    origin: float
    until: float
    limit: float | None
    reference: str = "the step started"
    """What ``origin`` is, for failure texts: "+12 ms after the last trigger"."""

    @classmethod
    def within(cls, limit: float, trigger: float | None) -> Deadline:
        """``limit`` after the last trigger (or after now, when nothing was sent yet)."""
        if trigger is None:
            start = now()
            return cls(start, start + limit, limit)
        return cls(trigger, trigger + limit, limit, "the last trigger")

    @classmethod
    def default(cls, timeout: float) -> Deadline:
        """The default timeout, from now (a step without "within")."""
        start = now()
        return cls(start, start + timeout, None)

    def remaining(self) -> float:
        """Seconds left until :attr:`until` (never negative)."""
        return max(0.0, self.until - now())

    def late(self, arrived: float) -> bool:
        """Whether something that arrived at ``arrived`` breaks the "within" limit."""
        return self.limit is not None and arrived - self.origin > self.limit

    def describe(self) -> str:
        """``within 500 ms of the last trigger``, for failure headlines."""
        if self.limit is None:
            return f"within {format_duration(self.until - self.origin)}"
        if self.reference != "the last trigger":  # nothing was sent yet: from the step's start
            return f"within {format_duration(self.limit)}"
        return f"within {format_duration(self.limit)} of the last trigger"
