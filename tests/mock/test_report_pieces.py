"""The mock's report attachments on their own: transcript text, JSON, table and chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from wsbdd.core.records import CloseInfo
from wsbdd.core.redaction import Redactor
from wsbdd.mock.analytics import Attempt, histories
from wsbdd.mock.recorder import MockFrame, MockRecord
from wsbdd.reporting.mock_report import (
    mock_json,
    reconnect_svg,
    reconnect_table,
    render_mock_transcript,
)

SECRET = "s3cr3t-token-42"
SVG = "{http://www.w3.org/2000/svg}"


def _record() -> MockRecord:
    record = MockRecord()
    ok = record.attempt(10.010, f"/ws?client=c1&token={SECRET}", [("Authorization", SECRET)])
    record.opened(ok, 10.011, "chat.v2")
    record.frame(ok, MockFrame(10.012, "sent", '{"type": "welcome"}'))
    record.frame(ok, MockFrame(10.020, "received", f'{{"type": "auth", "token": "{SECRET}"}}'))
    record.frame(ok, MockFrame(10.021, "received", b"\x01\x02"))
    record.ended(ok, CloseInfo(1006, "", "server", False, 10.5))
    refused = record.attempt(10.6, "/ws?client=c1", [])
    record.refused(refused, 503, 10.601)
    return record


def test_the_transcript_shows_each_connection_with_secrets_hidden() -> None:
    text = render_mock_transcript(_record(), 10.0, Redactor([SECRET]))
    assert "connection #0 +10.0 ms GET /ws?client=c1&token=***" in text
    assert "Authorization: ***" in text
    assert "status 101, subprotocol chat.v2" in text
    assert '+12.0 ms → {"type": "welcome"}' in text
    assert '+20.0 ms ← {"type": "auth", "token": "***"}' in text
    assert "← <binary 2 bytes: 0102>" in text
    assert "+500.0 ms cut without a close frame (code 1006)" in text
    assert "connection #1 +600.0 ms GET /ws?client=c1" in text
    assert "+601.0 ms refused with status 503" in text
    assert SECRET not in text
    data = mock_json(_record(), 10.0, Redactor([SECRET]))
    assert data[0]["closed"] == {
        "at_ms": 500.0,
        "code": 1006,
        "reason": "",
        "initiated_by": "server",
        "clean": False,
    }
    assert data[1]["status"] == 503 and data[1]["closed"] is None
    assert SECRET not in str(data)


def test_the_reconnect_table_and_chart() -> None:
    attempts = [
        Attempt("a", 1.0, True, 100.0),
        Attempt("a", 100.2, False, 100.2),
        Attempt("a", 100.6, True, None),
        Attempt("b", 1.0, True, 100.0),
        Attempt("b", 101.0, True, None),
    ]
    clients = histories(attempts)
    rows = reconnect_table(clients, 100.0).splitlines()
    assert rows[0] == "client,attempts after,first attempt (ms),delays (ms),median ratio"
    assert rows[1] == "a,2,200.0,200 400,2.00"
    assert rows[2] == "b,1,1000.0,1000,"
    root = ET.fromstring(reconnect_svg([200.0, 1000.0], "title", "2 clients"))
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 2
    empty = ET.fromstring(reconnect_svg([], "title", "none"))
    assert "no reconnection attempt" in [t.text for t in empty.iter(f"{SVG}text")]
