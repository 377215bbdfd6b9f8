"""Per-client transcripts as readable text and JSON, attached to the report."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from wsbdd.model import TranscriptEvent
from wsbdd.redaction import Redactor

if TYPE_CHECKING:
    from wsbdd.scenario import ScenarioSession

__all__ = ["attach_scenario_record", "render_transcript", "transcript_json"]

_ARROWS = {"sent": "→", "received": "←", "event": "•"}


def _payload(event: TranscriptEvent, redactor: Redactor) -> str:
    if isinstance(event.data, bytes):
        more = "…" if len(event.data) > 64 else ""
        return f"<binary {len(event.data)} bytes: {event.data[:64].hex()}{more}>"
    return redactor.text(event.data)


def render_transcript(
    name: str, events: list[TranscriptEvent], origin: float, redactor: Redactor
) -> str:
    """One line per event: ``+12.345 ms ← text {"type": "pong"}``."""
    lines = [f"client {name}"]
    for event in events:
        offset = (event.at - origin) * 1000
        lines.append(
            f"{offset:+11.3f} ms {_ARROWS[event.direction]} {event.kind:<6} "
            f"{_payload(event, redactor)}"
        )
    return "\n".join(lines)


def transcript_json(
    name: str, events: list[TranscriptEvent], origin: float, redactor: Redactor
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
        if isinstance(event.data, bytes):
            record["hex"] = event.data.hex()
        else:
            text = redactor.text(event.data)
            try:
                record["json"] = redactor.value(json.loads(text))
            except ValueError:
                record["text"] = text
        if event.meta:
            record["meta"] = redactor.value(event.meta)
        records.append(record)
    return records


def attach_scenario_record(session: ScenarioSession) -> None:
    """Attach every client's transcript (text and JSON) to the Allure report, if active."""
    try:
        import allure
    except ImportError:  # the core runs without Allure
        return
    redactor = session.run.redactor
    for name in session.clients.names():
        client = session.clients.get(name)
        events = list(client.transcript)
        allure.attach(
            render_transcript(name, events, session.started_at, redactor),
            name=f"transcript {name}",
            attachment_type=allure.attachment_type.TEXT,
        )
        allure.attach(
            json.dumps(transcript_json(name, events, session.started_at, redactor), indent=2),
            name=f"messages {name}.json",
            attachment_type=allure.attachment_type.JSON,
        )
