"""Arrival times: messages that came too late, and protocol pings and pongs.

"within T" is measured from the deadline's origin (the last trigger) to a
message's arrival stamp; these texts say which message broke it and by how much.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsbdd.core.close_texts import describe_close
from wsbdd.core.deadlines import Deadline
from wsbdd.core.expectations.verdicts import (
    PENDING,
    Failed,
    Failure,
    GivesUpWhenClosed,
    Satisfied,
    Verdict,
    View,
)
from wsbdd.core.records import Message
from wsbdd.core.timing import format_duration

__all__ = ["PingArrival", "PongArrival", "all_in_time", "late_among", "late_one"]


def late_one(name: str, message: Message, deadline: Deadline, what: str, expected: Any) -> Failure:
    """Client ``name`` received ``what`` (``message``), but after the deadline's limit."""
    latency = message.received_at - deadline.origin
    return Failure(
        f"client {name} received {what} too late: it arrived "
        f"{format_duration(latency)} after {deadline.reference} "
        f"(limit {format_duration(deadline.limit or 0.0)})\n"
        f"  message #{message.index}: {message.display()}",
        client=name,
        expected=expected,
        closest=message,
    )


def late_among(name: str, found: Sequence[Message], deadline: Deadline) -> Failure | None:
    """The failure when some of ``found`` arrived after the limit (None when all were in time)."""
    if deadline.limit is None:
        return None
    late = [m for m in found if m.received_at - deadline.origin > deadline.limit]
    if not late:
        return None
    worst = max(late, key=lambda m: m.received_at)
    return Failure(
        f"client {name}: {len(late)} of {len(found)} messages arrived too late; the "
        f"latest arrived {format_duration(worst.received_at - deadline.origin)} after "
        f"{deadline.reference} (limit {format_duration(deadline.limit)})\n"
        f"  message #{worst.index}: {worst.display()}"
    )


def all_in_time(name: str, found: Sequence[Message], deadline: Deadline) -> Verdict[None]:
    """Satisfied, consuming ``found``, unless some came too late (failed, consuming them)."""
    consumed = tuple(found)
    late = late_among(name, found, deadline)
    return Satisfied(None, consumed) if late is None else Failed(late, consumed)


class PingArrival(GivesUpWhenClosed[float]):
    """The next protocol ping no step has matched yet: its arrival time."""

    def __init__(self, name: str, deadline: Deadline) -> None:
        self.name, self.deadline = name, deadline

    def on_pings(self, pings: Sequence[float], matched: int) -> Verdict[float]:
        """The connection's pings so far (oldest first), ``matched`` of them matched before."""
        if len(pings) <= matched:
            return PENDING
        return Satisfied(pings[matched])

    def on_deadline(self, view: View) -> Verdict[float]:
        """No new ping: say how many came in all and whether the client is open."""
        state = describe_close(view.close) if view.close else "still open"
        return Failed(
            Failure(
                f"client {self.name} received no protocol ping {self.deadline.describe()} "
                f"({len(view.pings)} pings in all; client {state})"
            )
        )


class PongArrival(GivesUpWhenClosed[float]):
    """The first protocol pong at or after ``sent`` (the ping), within the deadline's limit."""

    def __init__(self, name: str, sent: float, deadline: Deadline) -> None:
        self.name, self.sent, self.deadline = name, sent, deadline

    def on_pongs(self, pongs: Sequence[float]) -> Verdict[float]:
        """The connection's pongs so far (arrival times, oldest first)."""
        at = next((at for at in pongs if at >= self.sent), None)
        if at is None:
            return PENDING
        if self.deadline.late(at):
            return Failed(
                Failure(
                    f"client {self.name}'s protocol pong arrived "
                    f"{format_duration(at - self.sent)} after the ping "
                    f"(limit {format_duration(self.deadline.limit or 0.0)})"
                )
            )
        return Satisfied(at)

    def on_deadline(self, view: View) -> Verdict[float]:
        """No pong: say how long ago the ping went."""
        return Failed(
            Failure(
                f"client {self.name} received no protocol pong {self.deadline.describe()} "
                f"(ping sent {format_duration(view.at - self.sent)} ago)"
            )
        )
