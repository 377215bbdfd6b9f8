"""Synthetic records for the expectation state machine tests (no loop, no socket)."""

from __future__ import annotations

import json
from typing import Any

from wsbdd.core.expectations import Deadline, View
from wsbdd.core.records import CloseInfo, Message

TRIGGER = 100.0
"""The last trigger of every test's deadline."""


def msg(index: int, value: Any, at: float = TRIGGER + 0.01, client: str = "A") -> Message:
    """Message #index: JSON text of ``value`` (a str is sent as it is) arriving at ``at``."""
    text = value if isinstance(value, str) else json.dumps(value)
    return Message.parse(client, index, text, at)


def within(limit: float = 0.5) -> Deadline:
    """ "within ``limit``" of the last trigger, at :data:`TRIGGER`."""
    return Deadline.within(limit, TRIGGER)


def view(
    inbox: list[Message],
    at: float = TRIGGER + 0.5,
    close: CloseInfo | None = None,
    pings: tuple[float, ...] = (),
) -> View:
    """The client as seen at ``at``."""
    return View(at, inbox, close, pings)


def server_close(
    code: int = 4401, reason: str = "unauthorized", at: float = TRIGGER + 0.1
) -> CloseInfo:
    """A clean close the server started."""
    return CloseInfo(code, reason, "server", True, at)


def cut(at: float = TRIGGER + 0.1) -> CloseInfo:
    """A connection cut without a closing handshake."""
    return CloseInfo(1006, "", "network", False, at)
