"""The binary codecs: MessagePack (``msgpack``) and CBOR (``cbor2``)."""

from __future__ import annotations

from typing import Any

import cbor2
import msgpack

from wsbdd.core.codecs.base import CodecError, FrameMismatch, to_json_like

__all__ = ["CborCodec", "MessagePackCodec"]


def _binary(data: str | bytes, name: str) -> bytes:
    if isinstance(data, str):
        raise FrameMismatch(f"a text frame, but the messages are {name} (binary frames)")
    return data


class MessagePackCodec:
    """MessagePack frames (one object per binary frame)."""

    name = "msgpack"
    binary = True

    def decode(self, data: str | bytes) -> Any:
        try:
            return to_json_like(msgpack.unpackb(_binary(data, "MessagePack"), raw=False))
        except FrameMismatch:
            raise
        except (ValueError, msgpack.UnpackException, TypeError) as exc:
            raise CodecError(f"not MessagePack: {exc}") from None

    def encode(self, value: Any) -> bytes:
        try:
            return bytes(msgpack.packb(value, use_bin_type=True))
        except (TypeError, ValueError, OverflowError) as exc:
            raise CodecError(f"cannot be encoded as MessagePack: {exc}") from None


class CborCodec:
    """CBOR frames (RFC 8949, one data item per binary frame)."""

    name = "cbor"
    binary = True

    def decode(self, data: str | bytes) -> Any:
        try:
            return to_json_like(cbor2.loads(_binary(data, "CBOR")))
        except FrameMismatch:
            raise
        except (ValueError, cbor2.CBORDecodeError, TypeError, EOFError) as exc:
            raise CodecError(f"not CBOR: {exc}") from None

    def encode(self, value: Any) -> bytes:
        try:
            return bytes(cbor2.dumps(value))
        except (TypeError, ValueError, cbor2.CBOREncodeError) as exc:
            raise CodecError(f"cannot be encoded as CBOR: {exc}") from None
