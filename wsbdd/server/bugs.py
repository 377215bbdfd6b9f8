"""The catalogue of deliberate bugs the reference server can switch on.

Each bug changes exactly the behaviour its description names, so a feature
suite can prove it catches that class of defect (``wsbdd serve --bug NAME``).
"""

from __future__ import annotations

import time
from collections import deque
from typing import Final

from wsbdd.core.close_texts import cut_without_close_frame

__all__ = [
    "BUGS",
    "STORM_LIMIT",
    "StormDetector",
    "validate_bugs",
]

BUGS: Final[dict[str, str]] = {
    "wrong_room": (
        "a message published on a room:* channel is also delivered to the "
        "subscribers of every other room:* channel (still labelled with the original channel)"
    ),
    "no_ownership_check": (
        "user:<name>:private and orders.user-<name> channels can be subscribed and "
        "published to by any authenticated user"
    ),
    "leak_on_disconnect": (
        "a closed connection keeps its subscriptions and per-connection state (plus a 50 KB "
        "buffer): /metrics connections/subscriptions and the process RSS only grow; no "
        "presence 'left' is sent on disconnect"
    ),
    "silent_drop": (
        "after 5 deliveries (message, order.* or presence pushes) "
        f"{cut_without_close_frame('a connection')} (TCP abort, the client sees 1006) "
        "instead of receiving the 6th"
    ),
    "no_heartbeat": (
        "the server never sends protocol pings and never closes peers that stopped answering"
    ),
    "wrong_close_code": "a connection without a token is closed with 4403 instead of 4401",
    "out_of_order": (
        "on every room:* channel, the message with seq 3, 6, 9, ... is delivered after the "
        "next one (history and resume replay stay in order)"
    ),
    "slow_push": "every delivery (message, order.*, presence) is delayed by 300 ms",
    "no_backpressure": (
        "outgoing queues are unbounded: slow consumers are never closed with 1013 and the "
        "server's memory grows"
    ),
    "no_resume": "subscribe ignores 'since': nothing is replayed and 'recovered' is not sent",
    "bad_schema": 'order.created carries qty as a string ("2" instead of 2)',
    "fragile_under_storm": (
        "handshakes are refused with HTTP 503 while more than 100 arrived within the last second"
    ),
}
"""Bug name → the symptom it causes."""

STORM_LIMIT: Final = 100
"""Handshakes per second above which ``fragile_under_storm`` refuses with 503."""


def validate_bugs(names: object) -> frozenset[str]:
    """Return the bug names as a frozenset, or raise ``ValueError`` naming the valid ones."""
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, (list, tuple, set, frozenset)):
        raise TypeError("bugs must be a collection of bug names")
    unknown = sorted(str(n) for n in names if n not in BUGS)
    if unknown:
        raise ValueError(
            f"unknown bug name(s): {', '.join(unknown)} (valid: {', '.join(sorted(BUGS))})"
        )
    return frozenset(str(n) for n in names)


class StormDetector:
    """Counts handshakes in a sliding one-second window."""

    def __init__(self, limit: int = STORM_LIMIT, window: float = 1.0) -> None:
        self.limit = limit
        self.window = window
        self._times: deque[float] = deque()

    def overloaded(self, at: float | None = None) -> bool:
        """Record one handshake at ``at``; True when the window now holds more than ``limit``."""
        now = time.monotonic() if at is None else at
        self._times.append(now)
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        return len(self._times) > self.limit
