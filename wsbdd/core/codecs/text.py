"""The default codec: JSON in text frames."""

from __future__ import annotations

import json
from typing import Any

from wsbdd.core.codecs.base import CodecError, FrameMismatch

__all__ = ["JsonCodec"]


class JsonCodec:
    """JSON text frames: what every JSON step sees when no other codec is chosen."""

    name = "json"
    binary = False

    def decode(self, data: str | bytes) -> Any:
        if isinstance(data, bytes):
            raise FrameMismatch("a binary frame, but the messages are JSON (text frames)")
        try:
            return json.loads(data)
        except ValueError as exc:
            raise CodecError(f"not JSON: {exc}") from None

    def encode(self, value: Any) -> str:
        try:
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise CodecError(f"cannot be written as JSON: {exc}") from None
