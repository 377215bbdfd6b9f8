"""The codecs and hex frames on their own (no sockets)."""

from __future__ import annotations

import datetime
from pathlib import Path

import cbor2
import msgpack
import pytest

from tests.codecs.codec_servers import PROTO
from wsbdd.core.codecs import (
    CodecError,
    FrameMismatch,
    codec_named,
    first_difference,
    format_hex,
    parse_hex,
    protobuf_codec,
    to_json_like,
)
from wsbdd.core.exceptions import ConfigError, UsageError
from wsbdd.core.records import Message, TranscriptEvent
from wsbdd.core.redaction import Redactor
from wsbdd.reporting.transcript import render_transcript


def test_hex_with_or_without_spaces_is_the_same_and_printed_as_written() -> None:
    spaced, packed = parse_hex("0a 0b 0c"), parse_hex("0a0b0c")
    assert spaced.data == packed.data == b"\n\x0b\x0c"
    assert spaced.show() == "0a 0b 0c" and packed.show() == "0a0b0c"
    assert format_hex(bytes(70), limit=2) == "00 00… (70 bytes)"


@pytest.mark.parametrize(
    ("text", "reason"),
    [("0g", "'g' is not 0-9 or a-f"), ("abc", "odd number of hex digits")],
)
def test_bad_hex_says_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_hex(text)


def test_first_difference() -> None:
    assert first_difference(b"\x01\x02\x03", b"\x01\x02\x03") is None
    assert first_difference(b"\x01\x02\x03", b"\x01\x09\x03") == 1
    assert first_difference(b"\x01\x02", b"\x01\x02\x03") == 2


def test_values_json_has_no_word_for_become_matchable_text() -> None:
    when = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    assert to_json_like({1: b"\x0a\xff", "at": when, "n": [1.5, float("inf")]}) == {
        "1": "0aff",
        "at": "2024-05-01T12:00:00+00:00",
        "n": [1.5, "inf"],
    }
    plain = {"type": "pong", "seq": 1}
    assert to_json_like(plain) is plain  # no copy on the hot path


def test_messagepack_and_cbor_round_trip_and_refuse_what_they_cannot_read() -> None:
    for name, dumps in (("msgpack", msgpack.packb), ("cbor", cbor2.dumps)):
        codec = codec_named(name)
        assert codec.decode(dumps({"type": "ping"})) == {"type": "ping"}
        assert codec.decode(codec.encode({"a": [1, 2]})) == {"a": [1, 2]}
        with pytest.raises(FrameMismatch, match="a text frame"):
            codec.decode("text")
        with pytest.raises(CodecError):
            codec.decode(b"\xc1" if name == "msgpack" else b"\x1f")


def test_json_refuses_binary_frames() -> None:
    with pytest.raises(FrameMismatch, match="a binary frame, but the messages are JSON"):
        codec_named("json").decode(b"{}")


def test_an_unknown_codec_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match='unknown codec "yaml"'):
        codec_named("yaml")


def test_protobuf_uses_field_names_as_written_and_leaves_unset_fields_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WSBDD_CACHE_DIR", str(tmp_path))
    codec = protobuf_codec("chat.Envelope", PROTO)
    frame = codec.encode({"type": "message", "from": "bob", "seq": 2})
    assert codec.decode(frame) == {"type": "message", "from": "bob", "seq": 2}
    with pytest.raises(CodecError, match=r"cannot be encoded as Protobuf chat\.Envelope"):
        codec.encode({"nope": 1})
    with pytest.raises(CodecError, match=r"not a Protobuf chat\.Envelope"):
        codec.decode(b"\xff\xff\xff")


def test_a_proto_that_does_not_compile_names_the_file_and_protocs_words(tmp_path: Path) -> None:
    broken = tmp_path / "broken.proto"
    broken.write_text('syntax = "proto3";\nmessage X { strin a = 1; }\n')
    with pytest.raises(ConfigError, match=r"broken.proto: protoc cannot compile it: .*strin"):
        protobuf_codec("X", broken)


def test_a_decoded_message_shows_its_value_and_hex_in_texts_and_transcripts() -> None:
    codec = codec_named("msgpack")
    message = Message.parse("A", 0, msgpack.packb({"t": 1}), 0.5, codec)
    assert message.display() == '{"t":1} (msgpack binary 4 bytes: 81 a1 74 01)'
    broken = Message.parse("A", 1, b"\xc1", 0.6, codec)
    assert not broken.is_json
    assert broken.display().startswith("<binary 1 bytes: c1> (not MessagePack")
    event = TranscriptEvent(
        0.5, "received", "binary", message.data, {"codec": "msgpack", "decoded": {"t": 1}}
    )
    text = render_transcript("A", [event], 0.0, Redactor([]))
    assert '{"t":1} (msgpack binary 4 bytes: 81 a1 74 01)' in text


def test_a_descriptor_set_is_read_as_it_is(tmp_path: Path) -> None:
    import subprocess
    import sys

    descriptors = tmp_path / "chat.desc"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{PROTO.parent}",
            "--include_imports",
            f"--descriptor_set_out={descriptors}",
            str(PROTO),
        ],
        check=True,
        timeout=60,
    )
    codec = protobuf_codec("chat.Envelope", descriptors)
    assert codec.decode(codec.encode({"type": "pong", "seq": 3})) == {"type": "pong", "seq": 3}
