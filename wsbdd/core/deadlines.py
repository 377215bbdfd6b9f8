"""The timing policy: every deadline a step waits against is decided here, and only here.

A :class:`Deadline` is when a wait ends and the instant "within T" is measured
from; a :class:`TimingPolicy` turns a step's optional "within T" into one, for
each kind of wait:

* messages: "within T" is measured from the scenario's last trigger (the last
  send, publish or HTTP request of any client) to the message's arrival; with
  no "within", the default timeout from the step's start;
* closes and heartbeats: "within T" (or the default timeout) from the step's start;
* a protocol pong: "within T" of the client's last protocol ping;
* plain durations (settle times, confirm windows, "stays open for"): scaled only.

Every time is scaled by ``WSBDD_TIMEOUT_SCALE``. The policy is pure: the
trigger and ping instants are handed in by its caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from wsbdd.core.records import now
from wsbdd.core.timing import format_duration

__all__ = ["Deadline", "TimingPolicy"]


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
        """``limit`` from ``trigger`` (from now when nothing was triggered yet)."""
        if trigger is None:
            start = now()
            return cls(start, start + limit, limit)
        return cls(trigger, trigger + limit, limit, "the last trigger")

    @classmethod
    def default(cls, timeout: float) -> Deadline:
        """``timeout`` from now, with no "within" limit."""
        start = now()
        return cls(start, start + timeout, None)

    def remaining(self) -> float:
        """Seconds left before the deadline (0 once it passed)."""
        return max(0.0, self.until - now())

    def late(self, arrived: float) -> bool:
        """Whether something that arrived at ``arrived`` breaks the "within" limit."""
        return self.limit is not None and arrived - self.origin > self.limit

    def describe(self) -> str:
        """``within 2 s of the last trigger``, for failure texts."""
        if self.limit is None:
            return f"within {format_duration(self.until - self.origin)}"
        if self.reference != "the last trigger":  # nothing was sent yet: from the step's start
            return f"within {format_duration(self.limit)}"
        return f"within {format_duration(self.limit)} of the last trigger"


class TimingPolicy:
    """The scenario's default timeout and timeout scale, and every deadline built from them."""

    def __init__(self, default_timeout: float, scale: float = 1.0) -> None:
        self.default_timeout = default_timeout
        self.scale = scale

    def set_default_timeout(self, seconds: float) -> None:
        """``Given the default timeout is 2 s``: later waits without "within" use it."""
        self.default_timeout = seconds

    def scaled(self, seconds: float) -> float:
        """A duration written in a feature or profile, scaled by ``WSBDD_TIMEOUT_SCALE``."""
        return seconds * self.scale

    def default_wait(self) -> float:
        """The default timeout, scaled: how long a wait without "within" lasts."""
        return self.scaled(self.default_timeout)

    def message(self, within: float | None, last_trigger: float | None) -> Deadline:
        """A message wait: ``within T`` from the last trigger, or the default timeout from now."""
        if within is None:
            return Deadline.default(self.default_wait())
        return Deadline.within(self.scaled(within), last_trigger)

    def close(self, within: float | None) -> Deadline:
        """Closes and heartbeats: ``within T`` (or the default timeout) from the step's start."""
        return Deadline.default(self.scaled(within if within is not None else self.default_timeout))

    def pong(self, within: float | None, ping_sent: float | None) -> Deadline:
        """A protocol pong: ``within T`` of the client's last protocol ping."""
        if within is None:
            return Deadline.default(self.default_wait())
        return Deadline.within(self.scaled(within), ping_sent)

    def window(self, seconds: float) -> Deadline:
        """A fixed window from now (a profile's confirm window), scaled."""
        return Deadline.default(self.scaled(seconds))
