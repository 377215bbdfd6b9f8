"""What ``wsbdd lint`` checks of codecs and binary frames, offline.

* hex on a step line (``sends the binary message "0a 0b"``); the doc string of
  ``receives, in order, the binary messages:`` is checked with the other doc
  strings (``step_checks``);
* a codec name (``client A's messages are MessagePack``);
* a Protobuf step's ``.proto`` file (looked for beside the features, then in
  the project) and its message type — compiling the file, as the run would.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from wsbdd.core.codecs import CODEC_NAMES, codec_named, parse_hex, protobuf_codec
from wsbdd.core.exceptions import WsbddError

__all__ = ["CodecProblem", "codec_problems"]


@dataclass(frozen=True)
class CodecProblem:
    """One problem: its kind (``bad hex``...), the message and any suggestions."""

    kind: str
    message: str
    suggestions: tuple[str, ...] = ()


def _find(name: str, feature: Path) -> Path | None:
    path = Path(name)
    if path.is_absolute():
        return path if path.is_file() else None
    folders = [*list(feature.resolve().parents)[:3], Path("features"), Path.cwd()]
    return next((f / path for f in folders if (f / path).is_file()), None)


def codec_problems(args: Mapping[str, str], feature: Path) -> Iterator[CodecProblem]:
    """Every codec or hex problem of one step."""
    hex_text = args.get("hex")
    if hex_text is not None and "${" not in hex_text:
        try:
            parse_hex(hex_text)
        except ValueError as exc:
            yield CodecProblem("bad hex", str(exc))
    codec = args.get("codec")
    if codec is not None and "${" not in codec:
        try:
            codec_named(codec)
        except WsbddError as exc:
            close = difflib.get_close_matches(codec.lower(), list(CODEC_NAMES), n=2)
            yield CodecProblem("unknown codec", str(exc), tuple(close))
    proto, type_name = args.get("proto"), args.get("type")
    if proto is not None and type_name is not None and "${" not in proto + type_name:
        found = _find(proto, feature)
        if found is None:
            yield CodecProblem(
                "missing proto",
                f'Protobuf file "{proto}" not found beside the features or in the project',
            )
        else:
            try:
                protobuf_codec(type_name, found)
            except WsbddError as exc:
                yield CodecProblem("bad proto", str(exc))
