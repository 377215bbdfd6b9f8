"""Per-client records as readable text and JSON, attached to the report.

For every client of a scenario the report gets two attachments:

``transcript A`` (text)
    the handshake (URL, request and response headers, status, subprotocol),
    then one line per frame or event with its time since the scenario
    started, its direction (``→`` sent, ``←`` received, ``•`` event), its
    frame type and a readable payload, then how the connection closed (code,
    reason, who closed it). A client that reconnected has one such section
    per connection, in order (``connection 1 of 2`` ...).
``messages A.json`` (JSON)
    the same, complete and machine-readable: payloads parsed when they are
    JSON, binary frames in hex.

Everything passes through the run's :class:`~wsbdd.core.redaction.Redactor`; big
payloads are cut, with a marker (:mod:`wsbdd.reporting.payloads`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wsbdd.core.records import (
    CloseInfo,
    ConnectionSummary,
    ConnectResult,
    HandshakeInfo,
    TranscriptEvent,
)
from wsbdd.core.redaction import Redactor
from wsbdd.reporting._allure import attach_json, attach_text, is_active
from wsbdd.reporting.payloads import json_payload, shown_text

if TYPE_CHECKING:
    from wsbdd.runtime import Client
    from wsbdd.session.scenario import ScenarioSession

__all__ = [
    "TEXT_EVENT_LIMIT",
    "TIME_LABEL",
    "ClientRecord",
    "attach_client_records",
    "attach_scenario_record",
    "client_json",
    "client_records",
    "render_client",
    "render_transcript",
    "snapshot_clients",
    "transcript_json",
]

_ARROWS = {"sent": "→", "received": "←", "event": "•"}
_SNAPSHOT_TIMEOUT = 5.0
_BINARY_SHOWN = 64
TEXT_EVENT_LIMIT = 5000
"""At most this many events in the text transcript (the JSON has them all)."""


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """What one client did in a scenario, copied on the loop thread."""

    name: str
    result: ConnectResult
    close: CloseInfo | None
    events: tuple[TranscriptEvent, ...]
    connections: tuple[ConnectionSummary, ...] = ()
    """Every connection, oldest first (empty: only ``result`` and ``close``)."""

    @classmethod
    def of(cls, client: Client) -> ClientRecord:
        return cls(
            client.name,
            client.result,
            client.close_info,
            tuple(client.transcript),
            client.connections,
        )


def client_records(clients: Mapping[str, Client]) -> list[ClientRecord]:
    """Every client's record, in connection order (run on the loop: a consistent copy)."""
    return [ClientRecord.of(client) for client in clients.values()]


def snapshot_clients(session: ScenarioSession) -> list[ClientRecord]:
    """Every client of the scenario, in connection order (a consistent copy, one hop)."""
    records = session.clients.wait_all(client_records, _SNAPSHOT_TIMEOUT)
    return records or []


TIME_LABEL = "t = time since the scenario started"
"""How the transcript's times are labelled (the failure diff uses the same ``t=``)."""


def _ms(at: float, origin: float) -> str:
    return f"t={(at - origin) * 1000:.1f} ms"


def _payload(event: TranscriptEvent, redactor: Redactor) -> str:
    """The frame as a line: text as it is; binary in hex, after its decoded value if any."""
    if isinstance(event.data, bytes):
        data = redactor.bytes(event.data)
        more = "…" if len(data) > _BINARY_SHOWN else ""
        head = data[:_BINARY_SHOWN]
        shown_hex = head.hex(" ") if "codec" in event.meta else head.hex()
        frame = f"binary {len(data)} bytes: {shown_hex}{more}"
        if "decoded" in event.meta:
            value = redactor.value(event.meta["decoded"])
            shown = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            return f"{shown} ({event.meta['codec']} {frame})"
        if "problem" in event.meta:
            return f"<{frame}> ({event.meta['codec']}: {event.meta['problem']})"
        return f"<{frame}>"
    return shown_text(redactor, event.data)


def render_transcript(
    name: str, events: Sequence[TranscriptEvent], origin: float, redactor: Redactor
) -> str:
    """The label of its times, then one line per event: ``t=    12.345 ms ← text   {...}``."""
    lines = [f"client {name}", f"({TIME_LABEL})"]
    for event in _shown(events, lines):
        offset = (event.at - origin) * 1000
        lines.append(
            f"t={offset:10.3f} ms {_ARROWS[event.direction]} {event.kind:<6} "
            f"{_payload(event, redactor)}"
        )
    return "\n".join(lines)


def _shown(events: Sequence[TranscriptEvent], lines: list[str]) -> Sequence[TranscriptEvent]:
    if len(events) <= TEXT_EVENT_LIMIT:
        return events
    head = TEXT_EVENT_LIMIT * 4 // 5
    tail = TEXT_EVENT_LIMIT - head
    lines.append(
        f"({len(events)} events: the first {head} and the last {tail} are shown; "
        f"the JSON attachment has them all)"
    )
    return [*events[:head], *events[-tail:]]


class _ShownHandshakes:
    """Each handshake redacted once, for both the text and the JSON record of a client."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._shown: dict[int, tuple[HandshakeInfo, dict[str, Any]]] = {}

    def __call__(self, hs: HandshakeInfo) -> dict[str, Any]:
        found = self._shown.get(id(hs))
        if found is None or found[0] is not hs:
            found = (hs, _handshake_json(hs, self._redactor))
            self._shown[id(hs)] = found
        return found[1]


def _handshake_lines(
    result: ConnectResult, redactor: Redactor, shown: _ShownHandshakes
) -> list[str]:
    hs = result.handshake
    status = f"HTTP {hs.status}" if hs.status is not None else "no HTTP response"
    lines = [
        f"handshake: {result.outcome.value}, {status}, "
        f"subprotocol {hs.subprotocol or '(none)'}, {result.elapsed * 1000:.1f} ms"
    ]
    if result.detail and not result.opened:
        lines.append(f"  detail: {redactor.text(result.detail)}")
    record = shown(hs)
    for title in ("request", "response"):
        if headers := record[f"{title}_headers"]:
            lines.append(f"  {title} headers:")
            lines.extend(f"    {header}" for header in headers)
    return lines


def _close_line(close: CloseInfo | None, origin: float, redactor: Redactor) -> str:
    if close is None:
        return "close: still open at the end of the scenario (closed by wsbdd's clean-up)"
    return f"close: {redactor.text(close.describe())} at {_ms(close.at, origin)}"


def render_client(
    record: ClientRecord,
    origin: float,
    redactor: Redactor,
    shown: _ShownHandshakes | None = None,
) -> str:
    """The handshake, the transcript and the close of one client, as text.

    A client with several connections gets one section per connection, in
    order, each with the frames and events of its own time span. ``shown``
    shares the redacted handshakes with :func:`client_json`.
    """
    shown = shown or _ShownHandshakes(redactor)
    if len(record.connections) <= 1:
        url = shown(record.result.handshake)["url"]
        lines = [f"client {record.name}  {url}"]
        lines.extend(
            _connection_lines(record.result, record.close, record.events, origin, redactor, shown)
        )
        return "\n".join(lines)
    lines = [f"client {record.name}  ({len(record.connections)} connections)"]
    for connection, events in _by_connection(record):
        url = shown(connection.result.handshake)["url"]
        lines.append("")
        lines.append(f"connection {connection.number} of {len(record.connections)}  {url}")
        lines.extend(
            _connection_lines(
                connection.result, connection.close, events, origin, redactor, shown
            )
        )
    return "\n".join(lines)


def _connection_lines(
    result: ConnectResult,
    close: CloseInfo | None,
    events: Sequence[TranscriptEvent],
    origin: float,
    redactor: Redactor,
    shown: _ShownHandshakes,
) -> list[str]:
    lines = _handshake_lines(result, redactor, shown)
    lines.append("")
    lines.extend(render_transcript("", events, origin, redactor).splitlines()[1:])
    if not events:
        lines.append("(no frames)")
    lines.append("")
    lines.append(_close_line(close, origin, redactor))
    return lines


def _by_connection(
    record: ClientRecord,
) -> list[tuple[ConnectionSummary, list[TranscriptEvent]]]:
    """Each connection with the events from its start to the next one's (events are in order)."""
    connections = record.connections
    parts: list[tuple[ConnectionSummary, list[TranscriptEvent]]] = [(c, []) for c in connections]
    starts = [c.started_at for c in connections]
    current = 0
    for event in record.events:
        while current + 1 < len(starts) and event.at >= starts[current + 1]:
            current += 1
        parts[current][1].append(event)
    return parts


def transcript_json(
    name: str, events: Sequence[TranscriptEvent], origin: float, redactor: Redactor
) -> list[dict[str, Any]]:
    """The full transcript as JSON-ready records (payloads parsed when JSON)."""
    records: list[dict[str, Any]] = []
    for event in events:
        record: dict[str, Any] = {
            "client": name,
            "t_ms": round((event.at - origin) * 1000, 3),
            "direction": event.direction,
            "kind": event.kind,
        }
        record.update(json_payload(redactor, event.data))
        if event.meta:
            record["meta"] = redactor.value(event.meta)
        records.append(record)
    return records


def _handshake_json(hs: HandshakeInfo, redactor: Redactor) -> dict[str, Any]:
    return {
        "url": redactor.url(hs.url),
        "status": hs.status,
        "subprotocol": hs.subprotocol,
        "request_headers": [f"{k}: {v}" for k, v in redactor.headers(hs.request_headers)],
        "response_headers": [f"{k}: {v}" for k, v in redactor.headers(hs.response_headers)],
    }


def client_json(
    record: ClientRecord,
    origin: float,
    redactor: Redactor,
    shown: _ShownHandshakes | None = None,
) -> dict[str, Any]:
    """One client as a JSON-ready record: handshake, outcome, close and every message."""
    shown = shown or _ShownHandshakes(redactor)
    close = record.close
    return {
        "client": record.name,
        "outcome": record.result.outcome.value,
        "detail": redactor.text(record.result.detail),
        "handshake": shown(record.result.handshake),
        "close": None if close is None else _close_json(close, origin, redactor),
        "messages": transcript_json(record.name, record.events, origin, redactor),
        "connections": [
            _connection_json(connection, origin, redactor, shown)
            for connection in record.connections
        ],
    }


def _connection_json(
    connection: ConnectionSummary, origin: float, redactor: Redactor, shown: _ShownHandshakes
) -> dict[str, Any]:
    close = connection.close
    return {
        "number": connection.number,
        "t_ms": round((connection.started_at - origin) * 1000, 3),
        "outcome": connection.result.outcome.value,
        "handshake": shown(connection.result.handshake),
        "close": None if close is None else _close_json(close, origin, redactor),
    }


def _close_json(close: CloseInfo, origin: float, redactor: Redactor) -> dict[str, Any]:
    return {
        "code": close.code,
        "reason": redactor.text(close.reason),
        "initiated_by": close.initiated_by,
        "clean": close.clean,
        "t_ms": round((close.at - origin) * 1000, 3),
    }


def attach_scenario_record(session: ScenarioSession) -> None:
    """Attach every client's transcript (text) and record (JSON) to the report."""
    if not is_active():
        return
    attach_client_records(session, snapshot_clients(session))


def attach_client_records(session: ScenarioSession, records: Sequence[ClientRecord]) -> None:
    """Attach each record's transcript (text) and record (JSON) to the report."""
    redactor = session.run.redactor
    for record in records:
        shown = _ShownHandshakes(redactor)
        attach_text(
            render_client(record, session.started_at, redactor, shown),
            f"transcript {record.name}",
        )
        attach_json(
            client_json(record, session.started_at, redactor, shown),
            f"messages {record.name}.json",
        )
