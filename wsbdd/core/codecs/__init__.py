"""Codecs between frames and the values JSON steps match: JSON, MessagePack, CBOR, Protobuf.

A client's codec comes from ``Given client A's messages are …``, else the API
profile's ``codec``, else ``WSBDD_CODEC``; JSON by default. See docs/codecs.md.
"""

from __future__ import annotations

from pathlib import Path

from wsbdd.core.codecs.base import Codec, CodecError, FrameMismatch, to_json_like
from wsbdd.core.codecs.binary import CborCodec, MessagePackCodec
from wsbdd.core.codecs.hexframes import HexFrame, first_difference, format_hex, parse_hex
from wsbdd.core.codecs.text import JsonCodec
from wsbdd.core.exceptions import UsageError

__all__ = [
    "CODEC_NAMES",
    "CborCodec",
    "Codec",
    "CodecError",
    "FrameMismatch",
    "HexFrame",
    "JsonCodec",
    "MessagePackCodec",
    "codec_named",
    "first_difference",
    "format_hex",
    "parse_hex",
    "protobuf_codec",
    "to_json_like",
]

CODEC_NAMES = {
    "json": "json",
    "msgpack": "msgpack",
    "messagepack": "msgpack",
    "cbor": "cbor",
}
"""The names a tester may write (case does not matter) → the codec."""


def codec_named(name: str) -> Codec:
    """The codec called ``name`` (``json``, ``msgpack``/``MessagePack``, ``cbor``)."""
    key = CODEC_NAMES.get(name.strip().lower().replace(" ", ""))
    if key == "json":
        return JsonCodec()
    if key == "msgpack":
        return MessagePackCodec()
    if key == "cbor":
        return CborCodec()
    raise UsageError(
        f'unknown codec "{name}": use json, msgpack (MessagePack) or cbor; Protobuf is '
        "protobuf:<package.Type>:<file.proto> in WSBDD_CODEC or a profile, or the step "
        "\"client A's messages are Protobuf \"<package.Type>\" from \"<file.proto>\"\""
    )


def protobuf_codec(type_name: str, source: Path) -> Codec:
    """The Protobuf codec for ``type_name`` in ``source`` (a .proto or a descriptor set)."""
    from wsbdd.core.codecs.protobuf import load_message_type

    return load_message_type(type_name, source)
