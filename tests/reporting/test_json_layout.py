"""JSON attachments: valid JSON, two levels one member per line, deeper values compact."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wsbdd.reporting._allure import layout_json

RECORD = {
    "client": "A",
    "handshake": {"url": "ws://h/ws", "request_headers": ["Host: h"]},
    "messages": [
        {"t_ms": 1.5, "direction": "received", "data": {"type": "welcome", "users": [1, 2]}},
        {"t_ms": 2.0, "direction": "sent", "data": "héllo"},
    ],
    "close": None,
    "connections": [],
}


@pytest.mark.parametrize("value", [RECORD, [], {}, "text", 3, None, [[1, [2]], {"a": {}}]])
def test_the_layout_is_the_same_json(value: Any) -> None:
    assert json.loads(layout_json(value)) == value


def test_each_message_of_a_transcript_is_one_line() -> None:
    lines = layout_json(RECORD).splitlines()
    first = '{"t_ms": 1.5, "direction": "received", "data": {"type": "welcome", "users": [1, 2]}}'
    assert f"    {first}," in lines
    assert '    {"t_ms": 2.0, "direction": "sent", "data": "héllo"}' in lines
    assert '  "close": null,' in lines
    assert lines[0] == "{" and lines[-1] == "}"


def test_values_that_are_not_json_are_shown_as_strings() -> None:
    assert json.loads(layout_json({"at": b"x"})) == {"at": "b'x'"}
