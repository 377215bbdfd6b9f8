"""Steps: sending frames."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.steps._common import CLIENT, INLINE_JSON, doc_string, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


@step(rf"client {CLIENT} sends {INLINE_JSON}")
def sends_inline(context: Any, name: str, json: str) -> None:
    """Sends a JSON text message written on the step line (${variables} substituted)."""
    session(context).actions.send_json(name, json)


@step(rf"client {CLIENT} sends:")
def sends_doc(context: Any, name: str) -> None:
    """Sends the JSON text message in the doc string below."""
    session(context).actions.send_json(name, doc_string(context, "sends:"))


@step(rf'client {CLIENT} sends the text "(?P<text>.*)"')
def sends_text(context: Any, name: str, text: str) -> None:
    """Sends a text frame exactly as written (it need not be JSON)."""
    session(context).actions.send_text(name, text)


@step(rf'client {CLIENT} sends the binary message "(?P<hex>[^"]*)"')
def sends_binary(context: Any, name: str, hex: str) -> None:
    """Sends a binary frame given as hexadecimal ("0a0b0c")."""
    session(context).actions.send_binary_hex(name, hex)


@step(
    rf"client {CLIENT} sends (?P<count>\d+) messages"
    r"(?: at (?P<rate>\d+(?:\.\d+)?) per second)?:"
)
def sends_many(context: Any, name: str, count: str, rate: str | None) -> None:
    """Sends the doc string N times with ${i} = 1..N, optionally paced at R per second."""
    session(context).actions.send_many(
        name,
        int(count),
        doc_string(context, "sends N messages:"),
        float(rate) if rate else None,
    )


@step(rf"client {CLIENT} sends a (?P<kind>text|binary) message of (?P<size>\d+) bytes")
def sends_sized(context: Any, name: str, kind: str, size: str) -> None:
    """Sends a text (letters) or binary (zero bytes) frame of exactly this size."""
    session(context).actions.send_sized(name, kind, int(size))


@step(rf"client {CLIENT} sends a protocol ping")
def sends_protocol_ping(context: Any, name: str) -> None:
    """Sends a WebSocket protocol ping frame (the server answers with a protocol pong)."""
    session(context).actions.send_protocol_ping(name)


use_step_matcher("parse")
