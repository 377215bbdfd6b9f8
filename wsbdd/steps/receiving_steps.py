"""Steps: receiving and asserting on messages."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.core.timing import parse_duration
from wsbdd.session.binary import hex_frame
from wsbdd.steps._common import (
    CLIENT,
    DURATION,
    INLINE_JSON,
    WITHIN,
    doc_string,
    literal,
    optional_duration,
    session,
)

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


@step(rf"client {CLIENT} receives {INLINE_JSON}{WITHIN}")
def receives_inline(context: Any, name: str, json: str, within: str | None) -> None:
    """The client gets a message matching this JSON (partial match), consumed once matched."""
    s = session(context)
    s.messages.receive(name, s.json(json), optional_duration(within))


@step(rf"client {CLIENT} receives{WITHIN}:")
def receives_doc(context: Any, name: str, within: str | None) -> None:
    """The client gets a message matching the JSON in the doc string (partial match)."""
    s = session(context)
    expected = s.json(doc_string(context, "receives:"))
    s.messages.receive(name, expected, optional_duration(within))


@step(rf"client {CLIENT}'s next message is:")
def next_message_doc(context: Any, name: str) -> None:
    """The very next unconsumed message matches the doc string (strict order)."""
    s = session(context)
    expected = s.json(doc_string(context, "next message is:"))
    s.messages.next_message(name, expected)


@step(rf"client {CLIENT}'s next message is {INLINE_JSON}")
def next_message_inline(context: Any, name: str, json: str) -> None:
    """The very next unconsumed message matches this JSON (strict order)."""
    s = session(context)
    s.messages.next_message(name, s.json(json))


@step(rf'client {CLIENT} receives the text "(?P<text>.*)"{WITHIN}')
def receives_text(context: Any, name: str, text: str, within: str | None) -> None:
    """The client gets a text frame equal to this text."""
    s = session(context)
    s.messages.receive_text(name, s.text(text), optional_duration(within))


@step(rf"client {CLIENT} receives a binary message{WITHIN}")
def receives_binary(context: Any, name: str, within: str | None) -> None:
    """The client gets a binary frame."""
    session(context).messages.receive_binary(name, optional_duration(within))


@step(rf'client {CLIENT} receives the binary message "(?P<hex>[^"]*)"{WITHIN}')
def receives_binary_exact(context: Any, name: str, hex: str, within: str | None) -> None:
    """The client gets a binary frame with exactly these bytes (hexadecimal, spaces allowed)."""
    s = session(context)
    s.binary.receive_exact(name, hex_frame(s.text(hex)), optional_duration(within))


@step(
    rf"client {CLIENT} receives no message(?: matching {INLINE_JSON})? within (?P<value>{DURATION})"
)
def receives_nothing(context: Any, name: str, json: str | None, value: str) -> None:
    """Waits this long and fails on any (matching) unconsumed message."""
    s = session(context)
    s.messages.receive_none(name, s.json(json) if json else None, parse_duration(value))


@step(rf"client {CLIENT} receives, in order,?{WITHIN}:")
def receives_in_order(context: Any, name: str, within: str | None) -> None:
    """The messages in the doc string (one JSON per line) arrive in this relative order."""
    s = session(context)
    expected = s.json_lines(doc_string(context, "receives, in order:"))
    s.messages.receive_in_order(name, expected, optional_duration(within))


@step(rf"client {CLIENT} receives, in any order,?{WITHIN}:")
def receives_any_order(context: Any, name: str, within: str | None) -> None:
    """Every message in the doc string (one JSON per line) arrives, in any order."""
    s = session(context)
    expected = s.json_lines(doc_string(context, "receives, in any order:"))
    s.messages.receive_any_order(name, expected, optional_duration(within))


@step(rf"client {CLIENT} receives (?P<count>\d+) messages matching {INLINE_JSON}{WITHIN}")
def receives_count(context: Any, name: str, count: str, json: str, within: str | None) -> None:
    """At least N messages matching this JSON arrive."""
    s = session(context)
    s.messages.receive_count(name, int(count), s.json(json), optional_duration(within))


@step(rf'client {CLIENT} receives a message matching schema "(?P<schema>[^"]+)"{WITHIN}')
def receives_schema(context: Any, name: str, schema: str, within: str | None) -> None:
    """The client gets a message valid against this JSON Schema file (under WSBDD_SCHEMAS)."""
    s = session(context)
    s.schemas.receive(name, s.text(schema), optional_duration(within))


@step(rf'the last message of client {CLIENT} matches schema "(?P<schema>[^"]+)"')
def last_matches_schema(context: Any, name: str, schema: str) -> None:
    """The message the last receive step matched is valid against this schema."""
    s = session(context)
    s.schemas.assert_last(name, s.text(schema))


@step(rf'every message received by client {CLIENT} matches schema "(?P<schema>[^"]+)"')
def every_matches_schema(context: Any, name: str, schema: str) -> None:
    """Every message the client has received so far is valid against this schema."""
    s = session(context)
    s.schemas.assert_all(name, s.text(schema))


@step(rf'the last message of client {CLIENT} has "(?P<path>[^"]+)" equal to (?P<value>.+)')
def last_has_value(context: Any, name: str, path: str, value: str) -> None:
    """A field of the last matched message (a JSON path like $.items[0].qty) equals a value."""
    s = session(context)
    s.messages.assert_last_value(name, path, literal(s.text(value)))


@step(rf"client {CLIENT} receives a protocol pong{WITHIN}")
def receives_protocol_pong(context: Any, name: str, within: str | None) -> None:
    """A protocol pong answers the client's last protocol ping in time."""
    session(context).messages.protocol_pong(name, optional_duration(within))


@step(rf"client {CLIENT} receives a protocol ping{WITHIN}")
def receives_protocol_ping(context: Any, name: str, within: str | None) -> None:
    """The server sends the client a protocol ping (a heartbeat) in time."""
    session(context).messages.protocol_ping(name, optional_duration(within))


@step(
    rf'I save "(?P<path>[^"]+)" from the last message of client {CLIENT} as "(?P<variable>[^"]+)"'
)
def save_from_message(context: Any, path: str, name: str, variable: str) -> None:
    """Stores a field of the client's last matched message as ${variable}."""
    session(context).messages.save_from_message(name, path, variable)


use_step_matcher("parse")
