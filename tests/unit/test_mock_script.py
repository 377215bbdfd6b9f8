"""The mock's scripted answers: partial match, ${…} from the request's fields."""

from __future__ import annotations

import json

import pytest

from wsbdd.core.exceptions import UnknownVariable, UsageError
from wsbdd.core.matching import Variables
from wsbdd.mock.script import Script, request_fields


def test_answers_fill_the_reply_from_the_request_then_the_scenario() -> None:
    script = Script()
    script.answer(
        {"type": "ping"},
        '{"type": "pong", "id": "${id}", "who": "${user.name}", "room": "${room}"}',
        {"room": "lobby"},
    )
    variables = Variables({"room": "lobby"})
    replies = script.replies({"type": "ping", "id": 7, "user": {"name": "ann"}}, variables)
    assert [json.loads(r) for r in replies] == [
        {"type": "pong", "id": 7, "who": "ann", "room": "lobby"}
    ]
    assert script.replies({"type": "other"}, variables) == []


def test_a_reply_naming_a_missing_field_raises_unknown_variable() -> None:
    script = Script()
    script.answer({"type": "ping"}, '{"id": ${id}}', {})
    with pytest.raises(UnknownVariable):
        script.replies({"type": "ping"}, Variables())


def test_a_reply_that_is_not_json_is_refused_at_the_step() -> None:
    with pytest.raises(UsageError, match="invalid JSON"):
        Script().answer({"type": "ping"}, '{"id": ${id}', {})


def test_request_fields_are_flattened() -> None:
    assert request_fields({"a": {"b": 1}, "c": 2}) == {"a": {"b": 1}, "a.b": 1, "c": 2}


def test_latency_ranges_must_go_up() -> None:
    with pytest.raises(UsageError):
        Script().set_latency(0.5, 0.1)
