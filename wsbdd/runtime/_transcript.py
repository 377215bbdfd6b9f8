"""A client's transcript, built on demand from its messages and its other events."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any

from wsbdd.core.records import Message, TranscriptEvent
from wsbdd.core.redaction import Redactor

__all__ = ["build_transcript"]


def build_transcript(
    received: Iterable[Message], events: Iterable[TranscriptEvent], redactor: Redactor
) -> list[TranscriptEvent]:
    """Every message and event in time order, redacted.

    On equal stamps (frames parsed from one read) messages come first: a close
    frame always follows the data it was sent after.
    """
    messages = (
        TranscriptEvent(m.received_at, "received", m.kind, m.data, _meta(m)) for m in received
    )
    others = sorted(events, key=lambda e: e.at)
    merged = heapq.merge(messages, others, key=lambda e: e.at)
    return [_redact_event(e, redactor) for e in merged]


def _meta(message: Message) -> dict[str, Any]:
    """A received message's transcript details: its number, its codec's result, its meta."""
    if not message.codec:
        meta: dict[str, Any] = {"index": message.index}
    elif message.is_json:
        meta = {"index": message.index, "codec": message.codec, "decoded": message.payload}
    else:
        meta = {"index": message.index, "codec": message.codec, "problem": message.problem}
    if message.meta:
        meta.update(message.meta)
    return meta


def _redact_event(event: TranscriptEvent, redactor: Redactor) -> TranscriptEvent:
    data = event.data
    shown = redactor.text(data) if isinstance(data, str) else redactor.bytes(data)
    if shown == data:
        return event
    return TranscriptEvent(event.at, event.direction, event.kind, shown, event.meta)
