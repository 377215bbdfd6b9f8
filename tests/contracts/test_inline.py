"""A contract's payload schemas are validated with their ``$ref`` replaced, with the same verdicts.

Each case compares the checker's validator (references inlined where that is
exact) with jsonschema following the references itself, on many frames: the
same validity and the same violations. Where inlining would not be exact the
checker keeps the references, and says so by :func:`inline_refs` giving None.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.suite.suite_runs import REPO
from wsbdd.core.contracts import ContractChecker, load_contract
from wsbdd.core.contracts.inline import inline_refs
from wsbdd.core.contracts.model import ContractMessage

SAMPLES: list[Any] = [
    {},
    {"type": "welcome", "user": "alice", "subprotocol": None},
    {"type": "subscribed", "channel": "room:lobby", "seq": 0},
    {"type": "unsubscribed", "channel": "room:lobby"},
    {"type": "pong"},
    {"type": "error", "code": "bad_json", "message": "not JSON"},
    {"type": "presence", "channel": "room:lobby", "user": "bob", "status": "joined"},
    {"type": "subscribe", "channel": "room:lobby"},
    {"type": "ping"},
    {"type": "message", "channel": "room:lobby", "text": "hi"},
    {
        "type": "message",
        "channel": "room:lobby",
        "from": "bob",
        "text": "hi",
        "id": "msg-1",
        "seq": 1,
        "ts": "2026-12-03T08:00:00.000Z",
    },
    {"type": "order.created", "order_id": "o-1", "item": "tea", "qty": 2, "user": "alice"},
    {"type": "order.paid", "order_id": "o-1", "amount": 3.5},
    {"type": "created", "qty": 1, "id": "o-7"},
    {"id": "a-1", "uuid": "not-a-uuid", "next": {"id": "b"}},
    {"thing": {"id": "a-1", "uuid": "not-a-uuid", "next": {"id": "b"}}},
    "text",
    7,
    None,
]
"""Frames of many shapes; :func:`frames` varies each field of the objects."""

WRONG_VALUES: list[Any] = [None, 0, -1, 2.5, "", "x", "not-a-date", [], {}, True]


def frames() -> list[Any]:
    out: list[Any] = list(SAMPLES)
    for sample in SAMPLES:
        if not isinstance(sample, dict):
            continue
        for key in sample:
            out.append({k: v for k, v in sample.items() if k != key})
            out.extend({**sample, key: wrong} for wrong in WRONG_VALUES)
        out.append({**sample, "extra": 1})
    return out


def following_refs(checker: ContractChecker, message: ContractMessage) -> Any:
    """The validator jsonschema builds for ``message`` when it follows the references itself."""
    assert message.schema_uri is not None
    return checker.validator_following_refs(message.schema_uri)


def errors(validator: Any, value: Any) -> list[tuple[str, str, str]]:
    return sorted(
        (json.dumps(list(e.absolute_path)), e.message, str(e.validator))
        for e in validator.iter_errors(value)
    )


def assert_same_verdicts(checker: ContractChecker) -> int:
    """Every message's two validators agree on every frame; how many messages had a schema."""
    compared = 0
    for message in checker.contract.messages:
        if message.schema_uri is None:
            continue
        compared += 1
        inlined, reference = (
            checker._validator(message.schema_uri),
            following_refs(checker, message),
        )
        for value in frames():
            assert inlined.is_valid(value) == reference.is_valid(value), (message.name, value)
            assert errors(inlined, value) == errors(reference, value), (message.name, value)
    return compared


def test_the_shipped_contract_gives_the_same_verdicts_with_its_refs_inlined() -> None:
    checker = ContractChecker(load_contract(REPO / "features" / "asyncapi.yaml"))
    assert assert_same_verdicts(checker) >= 10
    chat = next(m for m in checker.contract.messages if m.name == "ChatMessage")
    assert chat.schema_uri is not None
    resolved = checker._registry.resolver().lookup(chat.schema_uri)
    inlined = inline_refs(resolved.contents, resolved.resolver)
    assert inlined is not None, "the chat message's five references were not inlined"
    assert "$ref" not in json.dumps(inlined)


def contract(tmp_path: Path, payload: dict[str, Any], files: dict[str, Any]) -> ContractChecker:
    for name, document in files.items():
        (tmp_path / name).write_text(json.dumps(document))
    (tmp_path / "asyncapi.yaml").write_text(
        textwrap.dedent(
            """
            asyncapi: 3.0.0
            info: {title: T, version: 1.0.0}
            channels:
              ws:
                address: /ws
                messages:
                  Thing: {$ref: "#/components/messages/Thing"}
            operations:
              receive:
                action: send
                channel: {$ref: "#/channels/ws"}
                messages: [{$ref: "#/channels/ws/messages/Thing"}]
            components:
              messages:
                Thing:
                  payload: PAYLOAD
            """
        ).replace("PAYLOAD", json.dumps(payload))
    )
    return ContractChecker(load_contract(tmp_path / "asyncapi.yaml"))


def inlined_form(checker: ContractChecker) -> Any:
    message = checker.contract.messages[0]
    assert message.schema_uri is not None
    resolved = checker._registry.resolver().lookup(message.schema_uri)
    return inline_refs(resolved.contents, resolved.resolver)


IDS = {"$defs": {"id": {"type": "string", "pattern": "^[a-z]-"}}}

EXACT = {
    # a draft 7 root: jsonschema keeps draft 7's format checker (no "uuid") in the 2020-12 file
    "a file in another dialect, with a format the root's checker does not know": (
        {"type": "object", "properties": {"thing": {"$ref": "thing.json"}, "id": {}}},
        {
            "thing.json": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": "thing.json",
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"$ref": "ids.json#/$defs/id"},
                    "uuid": {"type": "string", "format": "uuid"},
                    "next": {"$ref": "#/$defs/next"},
                },
                "$defs": {"next": {"type": "object", "properties": {"id": {"minLength": 2}}}},
            },
            "ids.json": IDS,
        },
    ),
    "draft 7 definitions, a ref beside a description": (
        {"$ref": "order.json"},
        {
            "order.json": {
                "type": "object",
                "properties": {
                    "id": {"$ref": "#/definitions/id", "description": "the id"},
                    "next": {"items": [{"$ref": "#/definitions/id"}]},
                },
                "definitions": {"id": {"type": "string", "minLength": 3}},
            }
        },
    ),
}

KEPT = {
    "recursion": (
        {"$ref": "tree.json"},
        {"tree.json": {"type": "object", "properties": {"next": {"$ref": "tree.json"}}}},
    ),
    "a keyword beside a ref": (
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"id": {"$ref": "ids.json#/$defs/id", "maxLength": 3}},
        },
        {"ids.json": IDS},
    ),
    "a dynamic reference": (
        {"$ref": "node.json"},
        {
            "node.json": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": "node.json",
                "$dynamicAnchor": "node",
                "properties": {"next": {"$dynamicRef": "#node"}},
            }
        },
    ),
    "unevaluated properties": (
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [{"$ref": "ids.json"}],
            "unevaluatedProperties": False,
        },
        {"ids.json": {"properties": {"id": {"type": "string"}}}},
    ),
}


@pytest.mark.parametrize("case", sorted(EXACT))
def test_plain_references_are_inlined_with_the_same_verdicts(tmp_path: Path, case: str) -> None:
    payload, files = EXACT[case]
    checker = contract(tmp_path, payload, files)
    inlined = inlined_form(checker)
    assert inlined is not None and '"$ref"' not in json.dumps(inlined), inlined
    assert assert_same_verdicts(checker) == 1


@pytest.mark.parametrize("case", sorted(KEPT))
def test_references_are_kept_where_inlining_would_change_a_verdict(
    tmp_path: Path, case: str
) -> None:
    payload, files = KEPT[case]
    checker = contract(tmp_path, payload, files)
    assert inlined_form(checker) is None
    assert assert_same_verdicts(checker) == 1  # validated through the references, as before
