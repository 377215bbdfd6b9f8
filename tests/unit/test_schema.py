"""JSON Schema checks against a folder of files (wsbdd.core.matching.schema)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wsbdd.core.exceptions import SchemaError
from wsbdd.core.matching.schema import (
    SchemaStore,
    SchemaViolation,
    load_schema_names,
    render_violations,
)


def write(root: Path, name: str, schema: Any) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema), encoding="utf-8")


ORDER = {
    "type": "object",
    "required": ["type", "id", "qty"],
    "properties": {
        "type": {"const": "order.created"},
        "id": {"$ref": "common.json#/$defs/id"},
        "qty": {"type": "integer", "minimum": 1},
        "items": {"type": "array", "items": {"$ref": "parts/item.json"}},
    },
}
COMMON = {"$defs": {"id": {"type": "string", "pattern": "^ord-[0-9]+$"}}}
ITEM = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["sku"],
    "properties": {"sku": {"$ref": "../common.json#/$defs/id"}},
}


@pytest.fixture
def store(tmp_path: Path) -> SchemaStore:
    write(tmp_path, "order.created.json", ORDER)
    write(tmp_path, "common.json", COMMON)
    write(tmp_path, "parts/item.json", ITEM)
    return SchemaStore(tmp_path)


def test_valid_instance_has_no_violations(store: SchemaStore) -> None:
    instance = {"type": "order.created", "id": "ord-1", "qty": 2, "items": [{"sku": "ord-9"}]}
    assert store.violations(instance, "order.created.json") == []
    assert store.is_valid(instance, "order.created.json")


def test_violations_have_path_rule_and_message_sorted_by_path(store: SchemaStore) -> None:
    instance = {"type": "order.created", "id": "x", "qty": "2", "items": [{"sku": 5}]}
    got = store.violations(instance, "order.created.json")
    assert got == [
        SchemaViolation("$.id", "'x' does not match '^ord-[0-9]+$'", "pattern"),
        SchemaViolation("$.items[0].sku", "5 is not of type 'string'", "type"),
        SchemaViolation("$.qty", "'2' is not of type 'integer'", "type"),
    ]


def test_required_violation_is_at_the_object(store: SchemaStore) -> None:
    [violation] = store.violations({"type": "order.created", "id": "ord-1"}, "order.created.json")
    assert violation.path == "$"
    assert violation.rule == "required"
    assert "'qty' is a required property" in violation.message
    assert str(violation) == "$: 'qty' is a required property (required)"


def test_ref_across_files_resolves_relative_to_the_referring_file(store: SchemaStore) -> None:
    # parts/item.json refers to ../common.json
    assert store.violations({"sku": "ord-1"}, "parts/item.json") == []
    [violation] = store.violations({"sku": "nope"}, "parts/item.json")
    assert (violation.path, violation.rule) == ("$.sku", "pattern")


def test_ref_to_an_absolute_id_finds_the_file_declaring_it(tmp_path: Path) -> None:
    write(tmp_path, "defs/money.json", {"$id": "https://example.com/money.json", "type": "number"})
    write(tmp_path, "price.json", {"properties": {"p": {"$ref": "https://example.com/money.json"}}})
    store = SchemaStore(tmp_path)
    assert store.violations({"p": 1.5}, "price.json") == []
    assert [v.rule for v in store.violations({"p": "1.5"}, "price.json")] == ["type"]


def test_validator_follows_schema_keyword(tmp_path: Path) -> None:
    # Draft 4 exclusiveMaximum is a boolean; in 2020-12 it would be an invalid schema.
    write(
        tmp_path,
        "d4.json",
        {
            "$schema": "http://json-schema.org/draft-04/schema#",
            "type": "number",
            "maximum": 10,
            "exclusiveMaximum": True,
        },
    )
    store = SchemaStore(tmp_path)
    assert store.violations(9, "d4.json") == []
    assert [v.rule for v in store.violations(10, "d4.json")] == ["maximum"]


def test_default_dialect_is_2020_12(tmp_path: Path) -> None:
    write(tmp_path, "t.json", {"prefixItems": [{"type": "string"}]})
    store = SchemaStore(tmp_path)
    assert [v.path for v in store.violations([1], "t.json")] == ["$[0]"]


def test_missing_schema_names_file_folder_setting_and_suggestion(store: SchemaStore) -> None:
    with pytest.raises(SchemaError) as info:
        store.violations({}, "order.create.json")
    message = str(info.value)
    assert "'order.create.json' not found" in message
    assert str(store.root) in message
    assert "WSBDD_SCHEMAS" in message
    assert "did you mean 'order.created.json'" in message


def test_missing_schema_lists_available_when_nothing_is_close(store: SchemaStore) -> None:
    with pytest.raises(SchemaError, match=r"available: common\.json, order\.created\.json"):
        store.violations({}, "zzzzzz.json")


def test_missing_schema_in_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"no \.json files"):
        SchemaStore(tmp_path / "nowhere").violations({}, "x.json")


def test_name_cannot_escape_the_folder(tmp_path: Path) -> None:
    write(tmp_path, "outside.json", {})
    (tmp_path / "schemas").mkdir()
    with pytest.raises(SchemaError, match="outside the schema folder"):
        SchemaStore(tmp_path / "schemas").violations({}, "../outside.json")


def test_invalid_schema_names_the_file(tmp_path: Path) -> None:
    write(tmp_path, "bad.json", {"type": "integr"})
    with pytest.raises(SchemaError) as info:
        SchemaStore(tmp_path).violations(1, "bad.json")
    message = str(info.value)
    assert "bad.json" in message
    assert "not a valid schema" in message
    assert "WSBDD_SCHEMAS" in message


def test_file_that_is_not_json(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"type": ', encoding="utf-8")
    with pytest.raises(SchemaError, match=r"broken\.json is not valid JSON.*line 1"):
        SchemaStore(tmp_path).violations(1, "broken.json")


def test_unresolvable_ref_is_a_schema_error(tmp_path: Path) -> None:
    write(tmp_path, "r.json", {"properties": {"a": {"$ref": "missing.json"}}})
    with pytest.raises(SchemaError, match=r"cannot resolve \$ref 'missing\.json'"):
        SchemaStore(tmp_path).violations({"a": 1}, "r.json")


def test_ref_to_a_broken_file_explains_why(tmp_path: Path) -> None:
    write(tmp_path, "r.json", {"properties": {"a": {"$ref": "broken.json"}}})
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"broken\.json is not valid JSON"):
        SchemaStore(tmp_path).violations({"a": 1}, "r.json")


def test_schemas_are_cached(tmp_path: Path) -> None:
    write(tmp_path, "s.json", {"type": "string"})
    store = SchemaStore(tmp_path)
    assert store.violations("x", "s.json") == []
    write(tmp_path, "s.json", {"type": "integer"})
    assert store.violations("x", "s.json") == []  # the first load is kept


def test_one_of_message_names_the_closest_branch(tmp_path: Path) -> None:
    write(
        tmp_path,
        "u.json",
        {
            "oneOf": [
                {"type": "object", "required": ["a"]},
                {"type": "object", "required": ["b"]},
            ]
        },
    )
    [violation] = SchemaStore(tmp_path).violations({"c": 1}, "u.json")
    assert violation.rule == "oneOf"
    assert "closest:" in violation.message
    assert "is a required property" in violation.message


def test_format_is_checked(tmp_path: Path) -> None:
    write(tmp_path, "f.json", {"type": "string", "format": "ipv4"})
    store = SchemaStore(tmp_path)
    assert store.violations("127.0.0.1", "f.json") == []
    assert [v.rule for v in store.violations("not-an-ip", "f.json")] == ["format"]


def test_load_schema_names(store: SchemaStore, tmp_path: Path) -> None:
    (tmp_path / ".hidden").mkdir()
    write(tmp_path, ".hidden/x.json", {})
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert load_schema_names(tmp_path) == ["common.json", "order.created.json", "parts/item.json"]
    assert store.names() == load_schema_names(tmp_path)
    assert load_schema_names(tmp_path / "missing") == []


def test_render_violations_limits_lines() -> None:
    violations = [SchemaViolation(f"$[{i}]", "bad", "type") for i in range(12)]
    text = render_violations(violations, limit=10)
    assert text.splitlines()[0] == "$[0]: bad (type)"
    assert text.splitlines()[-1] == "… and 2 more"
    assert len(text.splitlines()) == 11


def test_relative_id_still_finds_sibling_files(tmp_path: Path) -> None:
    write(tmp_path, "common.json", COMMON)
    write(tmp_path, "rel.json", {"$id": "rel.json", "$ref": "common.json#/$defs/id"})
    store = SchemaStore(tmp_path)
    assert store.violations("ord-5", "rel.json") == []
    assert [v.rule for v in store.violations("x", "rel.json")] == ["pattern"]
