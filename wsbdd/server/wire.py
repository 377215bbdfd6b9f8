"""What the reference server's WebSocket frames are made of: JSON text, MessagePack or CBOR.

``wsbdd serve --codec msgpack`` (or ``cbor``) makes every frame on ``/ws`` a
binary frame of that codec, both ways; the protocol is the same. JSON text is
the default. HTTP routes always speak JSON.
"""

from __future__ import annotations

from typing import Any

from wsbdd.core.codecs import Codec, CodecError, codec_named

from .jsonframes import FrameError, dumps, loads

__all__ = ["CODECS", "Wire"]

CODECS = ("json", "msgpack", "cbor")
"""The codecs the reference server speaks."""

Frame = str | bytes


class Wire:
    """Encodes the server's frames and decodes its clients' frames in one codec."""

    def __init__(self, codec: str = "json", *, max_depth: int = 64) -> None:
        if codec not in CODECS:
            raise ValueError(f"unknown codec {codec!r} (one of: {', '.join(CODECS)})")
        self.name = codec
        self.max_depth = max_depth
        self.binary = codec != "json"
        self._codec: Codec | None = codec_named(codec) if self.binary else None

    def encode(self, frame: dict[str, Any]) -> Frame:
        """One frame for ``frame`` (JSON text never holds NaN or Infinity)."""
        if self._codec is None:
            return dumps(frame)
        return self._codec.encode(frame)

    def decode(self, data: Frame) -> Any:
        """The client frame's value; :class:`FrameError` with the error code to answer."""
        if self._codec is None:
            if isinstance(data, bytes):
                raise FrameError("bad_request", "binary frames are not supported; send JSON text")
            return loads(data, max_depth=self.max_depth)
        if isinstance(data, str):
            raise FrameError("bad_request", f"text frames are not supported; send {self.name}")
        try:
            value = self._codec.decode(data)
        except CodecError as exc:
            raise FrameError("bad_json", str(exc)) from None
        if _deeper_than(value, self.max_depth):
            raise FrameError("bad_request", f"nested deeper than {self.max_depth} levels")
        return value


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False
