"""What a worker tells the supervisor, inside its own console output.

A worker's formatter writes one *marker* line at each boundary it sees (a
feature starts, a scenario starts, a scenario's result, a feature ends, the
run ends), in the same stream as behave's own console formatters, so the
supervisor knows which bytes belong to which scenario. A marker is the
record separator character, a tag and one JSON object::

    \\x1ewsbdd-parallel {"event": "scenario", "location": "features/a.feature:12"}

:class:`MarkerSplitter` turns a worker's output, fed in chunks as they come,
back into text pieces and events. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["MARKER", "Event", "MarkerSplitter", "encode_marker"]

MARKER: Final = "\x1ewsbdd-parallel "
"""How a marker line starts (the ASCII record separator, then a tag)."""


@dataclass(frozen=True)
class Event:
    """One marker: its kind (``feature``, ``scenario``, ``result``, ``eof``, ``close``) and data."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


def encode_marker(kind: str, **data: Any) -> str:
    """The marker line (newline included) announcing ``kind`` with ``data``."""
    return MARKER + json.dumps({"event": kind, **data}, ensure_ascii=True) + "\n"


class MarkerSplitter:
    """Splits a stream of text into plain text and :class:`Event` items, chunk by chunk."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, chunk: str) -> Iterator[str | Event]:
        """The text and events complete in what has arrived so far (in order)."""
        data = self._pending + chunk
        self._pending = ""
        while data:
            start = data.find(MARKER[0])
            if start < 0:
                yield data
                return
            if start:
                yield data[:start]
                data = data[start:]
            if len(data) < len(MARKER) and MARKER.startswith(data):
                self._pending = data  # maybe the start of a marker
                return
            if not data.startswith(MARKER):
                yield data[0]  # a stray separator character: plain text
                data = data[1:]
                continue
            end = data.find("\n")
            if end < 0:
                self._pending = data
                return
            yield _decode(data[len(MARKER) : end])
            data = data[end + 1 :]

    def flush(self) -> str:
        """Whatever is left (an unfinished marker is shown as text)."""
        rest, self._pending = self._pending, ""
        return rest


def _decode(payload: str) -> str | Event:
    try:
        value = json.loads(payload)
    except ValueError:
        return MARKER + payload + "\n"
    if not isinstance(value, dict) or not isinstance(value.get("event"), str):
        return MARKER + payload + "\n"
    kind = value.pop("event")
    return Event(kind, value)
