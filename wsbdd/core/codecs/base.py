"""What a codec is: the bridge between a frame (text or bytes) and the value JSON steps see.

A codec decodes a received frame into a JSON-like value (dicts, lists,
strings, numbers, booleans, None) and encodes a value for ``sends {…}``. Values
that JSON has no word for are shown the way JSON steps can match them: bytes
as lowercase hex text, dates and times in ISO 8601, anything else as its text.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Protocol

__all__ = ["Codec", "CodecError", "FrameMismatch", "to_json_like"]


class CodecError(ValueError):
    """A frame the codec could not decode (or a value it could not encode): the reason."""


class FrameMismatch(CodecError):
    """A text frame on a binary codec, or a binary frame on a text codec."""


class Codec(Protocol):
    """Turns frames into values and values into frames."""

    name: str
    """What the tester wrote: ``json``, ``msgpack``, ``cbor``, ``protobuf chat.Envelope``."""
    binary: bool
    """True when frames are binary (every codec but JSON)."""

    def decode(self, data: str | bytes) -> Any:
        """The frame's value; :class:`CodecError` with the reason when it cannot."""

    def encode(self, value: Any) -> str | bytes:
        """The frame for ``value``; :class:`CodecError` when it cannot be encoded."""


_SCALARS = frozenset({str, int, bool, type(None)})


def to_json_like(value: Any) -> Any:
    """``value`` with bytes as hex, dates as ISO 8601 and mapping keys as text.

    Values that are already plain JSON (the usual case) are returned as they
    are, without a copy: this runs on every received frame.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        if all(type(k) is str and type(v) in _SCALARS for k, v in value.items()):
            return value
        return {k if type(k) is str else str(k): to_json_like(v) for k, v in value.items()}
    if kind is list:
        if all(type(item) in _SCALARS for item in value):
            return value
        return [to_json_like(item) for item in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {k if type(k) is str else str(k): to_json_like(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_like(item) for item in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
