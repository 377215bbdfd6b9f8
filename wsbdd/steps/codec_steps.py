"""Steps: codecs (MessagePack, CBOR, Protobuf) and binary frames in hex (docs/codecs.md)."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.session.binary import hex_frame, hex_lines
from wsbdd.steps._common import CLIENT, WITHIN, doc_string, optional_duration, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


@step(rf"client {CLIENT}'s messages are (?P<codec>[A-Za-z][\w-]*)")
def messages_are(context: Any, name: str, codec: str) -> None:
    """The client's frames are MessagePack, CBOR or JSON: JSON steps see the decoded values."""
    session(context).codecs.named(name, codec)


@step(rf'client {CLIENT}\'s messages are Protobuf "(?P<type>[^"]+)" from "(?P<proto>[^"]+)"')
def messages_are_protobuf(context: Any, name: str, type: str, proto: str) -> None:
    """The client's frames are this Protobuf message type (.proto compiled at run time)."""
    s = session(context)
    s.codecs.protobuf(name, s.text(type), s.text(proto))


@step(rf'client {CLIENT} receives a binary message starting with "(?P<hex>[^"]*)"{WITHIN}')
def receives_binary_prefix(context: Any, name: str, hex: str, within: str | None) -> None:
    """The client gets a binary frame whose first bytes are these (hexadecimal, spaces allowed)."""
    s = session(context)
    s.binary.receive_prefix(name, hex_frame(s.text(hex)), optional_duration(within))


@step(rf'client {CLIENT}\'s next message is the binary message "(?P<hex>[^"]*)"')
def next_binary(context: Any, name: str, hex: str) -> None:
    """The very next unconsumed message is a binary frame with exactly these bytes."""
    s = session(context)
    s.binary.next_exact(name, hex_frame(s.text(hex)))


@step(rf"client {CLIENT} receives, in order, the binary messages{WITHIN}:")
def receives_binary_in_order(context: Any, name: str, within: str | None) -> None:
    """The binary frames in the doc string (one hex frame per line) arrive in this order."""
    s = session(context)
    frames = hex_lines(s.text(doc_string(context, "receives, in order, the binary messages:")))
    s.binary.receive_in_order(name, frames, optional_duration(within))
