"""``${name}`` variables in text and JSON (wsbdd.core.matching.templating)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from wsbdd.core.exceptions import UnknownVariable, UsageError
from wsbdd.core.matching.templating import (
    Variables,
    render_json,
    render_json_lines,
    substitute,
    substitute_json,
    to_text,
)

FIXED_TIME = 1_764_183_600.25  # 2025-11-26T19:00:00.250Z


def make(
    scenario: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Variables:
    return Variables(scenario or {}, environ or {}, clock=lambda: FIXED_TIME)


# -- lookup -------------------------------------------------------------------------


def test_lookup_order_scenario_then_environment_then_generators() -> None:
    v = make({"room": "s", "uuid": "mine"}, {"room": "e", "HOST": "h", "now": "env-now"})
    assert v.get("room") == "s"
    assert v.get("HOST") == "h"
    assert v.get("uuid") == "mine"
    assert v.get("now") == "env-now"


def test_environment_is_the_given_mapping_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSBDD_SOMETHING_ONLY_IN_OS", "x")
    with pytest.raises(UnknownVariable):
        make().get("WSBDD_SOMETHING_ONLY_IN_OS")


def test_set_writes_into_the_scenario_dict() -> None:
    scenario: dict[str, Any] = {}
    v = Variables(scenario, {})
    v.set("order_id", 42)
    assert scenario == {"order_id": 42}
    assert v.get("order_id") == 42


def test_set_rejects_bad_names() -> None:
    with pytest.raises(UsageError, match="invalid variable name"):
        make().set("a b", 1)


def test_unknown_variable_names_the_known_ones() -> None:
    v = make({"room": "x"}, {"SECRET_ENV": "y"})
    with pytest.raises(UnknownVariable) as info:
        v.get("rom")
    assert info.value.name == "rom"
    message = str(info.value)
    assert "${rom}" in message
    assert "room" in message
    assert "uuid" in message
    assert "SECRET_ENV" not in message


def test_uuid_generator_is_new_each_time() -> None:
    v = Variables({}, {})
    first, second = v.get("uuid"), v.get("uuid")
    assert first != second
    assert uuid.UUID(first).version == 4


def test_uuid_generator_can_be_replaced() -> None:
    fixed = uuid.UUID("123e4567-e89b-12d3-a456-426614174000")
    v = Variables({}, {}, new_uuid=lambda: fixed)
    assert v.get("uuid") == str(fixed)


def test_now_is_iso8601_utc_with_milliseconds() -> None:
    assert make().get("now") == "2025-11-26T19:00:00.250Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", Variables({}, {}).get("now"))


def test_timestamp_is_epoch_milliseconds() -> None:
    value = make().get("timestamp")
    assert value == 1_764_183_600_250
    assert isinstance(value, int)


def test_counter_exists_only_with_counter() -> None:
    v = make()
    with pytest.raises(UnknownVariable):
        v.get("i")
    assert v.with_counter(3).get("i") == 3
    assert "i" in v.with_counter(0)
    assert "i" not in v


def test_counter_shares_scenario_and_wins_over_a_variable_named_i() -> None:
    v = make({"i": "scenario-i"})
    child = v.with_counter(7)
    assert child.get("i") == 7
    child.set("saved", 1)
    assert v.get("saved") == 1
    assert v.get("i") == "scenario-i"


def test_contains_and_names() -> None:
    v = make({"b": 1, "a": 2}, {"E": "x"})
    assert "a" in v and "E" in v and "now" in v
    assert "zzz" not in v
    assert v.names() == ["a", "b", "now", "timestamp", "uuid"]


# -- plain text ---------------------------------------------------------------------


def test_substitute_in_text() -> None:
    v = make({"room": "room:lobby", "n": 3, "ok": True, "nothing": None})
    assert substitute("join ${room} n=${n} ${ok} ${nothing}", v) == "join room:lobby n=3 true null"


def test_substitute_names_with_dots_and_dashes() -> None:
    v = make({"order.id": "o1", "user-name": "bob", "x_1": "y"})
    assert substitute("${order.id}/${user-name}/${x_1}", v) == "o1/bob/y"


def test_double_dollar_escapes_a_literal_placeholder() -> None:
    assert substitute("cost $${price} and ${a}", make({"a": "b"})) == "cost ${price} and b"


def test_lone_dollar_and_braces_are_left_alone() -> None:
    assert substitute("$5 {x} $name $$", make()) == "$5 {x} $name $$"


@pytest.mark.parametrize("text", ["${}", "${ name }", "${unterminated", "a ${a b}"])
def test_bad_placeholder_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match=r"\$\$\{"):
        substitute(text, make({"name": 1, "unterminated": 1}))


def test_substitute_unknown_raises() -> None:
    with pytest.raises(UnknownVariable):
        substitute("${nope}", make())


def test_to_text() -> None:
    assert to_text("é") == "é"
    assert to_text(2.5) == "2.5"
    assert to_text(False) == "false"
    assert to_text({"a": [1]}) == '{"a": [1]}'


# -- JSON ---------------------------------------------------------------------------


def test_exact_string_placeholder_keeps_the_type() -> None:
    v = make({"qty": 2, "ok": False, "none": None, "obj": {"a": [1]}, "name": "bob"})
    doc = '{"q": "${qty}", "b": "${ok}", "n": "${none}", "o": "${obj}", "s": "${name}"}'
    assert render_json(doc, v) == {"q": 2, "b": False, "n": None, "o": {"a": [1]}, "s": "bob"}


def test_environment_values_stay_strings_when_quoted() -> None:
    assert render_json('{"qty": "${QTY}"}', make(environ={"QTY": "2"})) == {"qty": "2"}


def test_placeholder_inside_a_longer_string_inserts_text() -> None:
    v = make({"i": 1, "flag": True, "name": 'say "hi"\n'})
    assert render_json('{"t": "n=${i} ${flag} ${name}"}', v) == {"t": 'n=1 true say "hi"\n'}


def test_unquoted_placeholder_inserts_json() -> None:
    v = make({"qty": 2, "items": [1, 2], "name": "bob"}, {"ENV_QTY": "3", "ENV_OBJ": '{"a": 1}'})
    doc = '{"qty": ${qty}, "items": ${items}, "name": ${name}, "e": ${ENV_QTY}, "o": ${ENV_OBJ}}'
    assert render_json(doc, v) == {
        "qty": 2,
        "items": [1, 2],
        "name": "bob",
        "e": 3,
        "o": {"a": 1},
    }


def test_unicode_survives_substitution() -> None:
    v = make({"who": "Zoë ☃"})
    assert render_json('{"a": "${who}", "b": "hi ${who}", "c": ${who}}', v) == {
        "a": "Zoë ☃",
        "b": "hi Zoë ☃",
        "c": "Zoë ☃",
    }


def test_counter_in_repeated_send() -> None:
    v = make()
    rendered = [render_json('{"text": "n=${i}", "i": "${i}"}', v.with_counter(i)) for i in (0, 1)]
    assert rendered == [{"text": "n=0", "i": 0}, {"text": "n=1", "i": 1}]


def test_escaped_placeholder_in_json() -> None:
    assert render_json('{"t": "$${x}"}', make()) == {"t": "${x}"}


def test_matchers_are_untouched() -> None:
    assert render_json('{"id": "{{uuid}}"}', make()) == {"id": "{{uuid}}"}


def test_substitute_json_keeps_layout() -> None:
    text = '{\n  "qty": "${qty}",\n  "t": "x${qty}"\n}'
    assert substitute_json(text, make({"qty": 2})) == '{\n  "qty": 2,\n  "t": "x2"\n}'


def test_escaped_quotes_in_strings_do_not_confuse_the_scanner() -> None:
    v = make({"a": 1})
    assert render_json(r'{"s": "he said \"${a}\"", "t": "${a}"}', v) == {
        "s": 'he said "1"',
        "t": 1,
    }


def test_invalid_json_names_line_and_column_and_quotes_the_line() -> None:
    with pytest.raises(UsageError) as info:
        render_json('{"a": 1,\n "b" 2}', make())
    message = str(info.value)
    assert "line 2, column 6" in message
    assert ' "b" 2}' in message
    assert "     ^" in message


def test_two_documents_are_not_one() -> None:
    with pytest.raises(UsageError, match="Extra data"):
        render_json('{"a": 1} {"b": 2}', make())


def test_unknown_variable_in_json() -> None:
    with pytest.raises(UnknownVariable):
        render_json('{"a": "${missing}"}', make())


# -- several JSON values ------------------------------------------------------------


def test_json_lines_one_per_line() -> None:
    text = '{"type": "order.created", "id": "${id}"}\n{"type": "order.paid", "id": "${id}"}\n'
    assert render_json_lines(text, make({"id": 7})) == [
        {"type": "order.created", "id": 7},
        {"type": "order.paid", "id": 7},
    ]


def test_json_lines_pretty_printed() -> None:
    text = '\n  {\n    "a": [1,\n 2]\n  }\n\n{"b": 1}  \n  3\n"x"'
    assert render_json_lines(text, make()) == [{"a": [1, 2]}, {"b": 1}, 3, "x"]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("1\n30 12\n", 2, 4), ('{"b": 1}{"c": 2}', 1, 9), ("30 0c", 1, 4)],
)
def test_json_lines_two_values_on_one_line_are_a_mistake(text: str, line: int, column: int) -> None:
    # Documented as one JSON value per line: "30 12" is not two numbers.
    with pytest.raises(UsageError) as info:
        render_json_lines(text, make())
    message = str(info.value)
    assert "(write one JSON value per line)" in message
    assert f"at line {line}, column {column}:" in message


def test_json_lines_error_points_at_the_bad_value() -> None:
    with pytest.raises(UsageError) as info:
        render_json_lines('{"a": 1}\n{"b": }', make())
    message = str(info.value)
    assert "value #2" in message
    assert "line 2" in message
    assert '{"b": }' in message


def test_json_lines_empty_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no text"):
        render_json_lines("  \n ", make())


def test_placeholder_as_object_key_stays_a_string() -> None:
    v = make({"k": 5, "name": "id"})
    assert render_json('{"${k}": "${k}", "${name}" : 1}', v) == {"5": 5, "id": 1}
