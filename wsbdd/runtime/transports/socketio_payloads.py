"""What Socket.IO events carry, as steps see them (plain data, no python-socketio import).

Kept apart from the transport so the session's emit steps can word and match
payloads without loading python-socketio, python-engineio and aiohttp, which
only a Socket.IO connection needs (they cost a third of a second at start-up).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["AckResult", "json_text", "payload_of"]


@dataclass(frozen=True, slots=True)
class AckResult:
    """An emit's acknowledgement: when it was sent, when (and with what) the server answered."""

    sent_at: float
    acked_at: float
    payload: Any


def payload_of(args: Sequence[Any]) -> Any:
    """An event's payload: its only argument, None for none, the list of all for several."""
    if not args:
        return None
    if len(args) == 1:
        return args[0]
    return list(args)


def json_text(value: Any) -> str:
    """``value`` as compact JSON text (bytes inside become hex strings)."""
    return json.dumps(value, ensure_ascii=False, default=_bytes_as_hex)


def _bytes_as_hex(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return value.hex()
    raise TypeError(f"{type(value).__name__} is not JSON")
