"""Partial JSON matching and matcher strings (wsbdd.core.matching.matchers)."""

from __future__ import annotations

from typing import Any

import pytest

from wsbdd.core.exceptions import UsageError
from wsbdd.core.matching.matchers import (
    KNOWN_MATCHERS,
    MISSING,
    Mismatch,
    check_expected,
    match,
    matches,
    parse_matcher,
)


def reasons(expected: Any, actual: Any) -> list[str]:
    return [str(m) for m in match(expected, actual)]


# -- objects: partial ---------------------------------------------------------------


def test_extra_keys_in_actual_are_ignored() -> None:
    assert match({"type": "pong"}, {"type": "pong", "at": 12, "extra": [1]}) == []


def test_empty_expected_object_matches_any_object() -> None:
    assert matches({}, {"a": 1})
    assert not matches({}, [])


def test_missing_key_is_reported_with_its_path() -> None:
    [m] = match({"type": "pong", "id": 3}, {"type": "pong"})
    assert m == Mismatch("$.id", 3, MISSING, "missing key")
    assert str(m) == "$.id: missing key"


def test_wrong_value_reason_names_both_values() -> None:
    assert reasons({"from": "alice"}, {"from": "bob"}) == ['$.from: expected "alice", got "bob"']


def test_nested_paths_use_dots_and_indexes() -> None:
    expected = {"items": [{"qty": 2}, {"qty": 3}]}
    actual = {"items": [{"qty": 2}, {"qty": "3"}]}
    assert reasons(expected, actual) == ['$.items[1].qty: expected 3, got "3" (a string)']


def test_keys_with_odd_characters_are_bracketed() -> None:
    assert reasons({"a b": 1, "x.y": 2}, {"a b": 2, "x.y": 2}) == ['$["a b"]: expected 1, got 2']
    assert reasons({"x.y": 1}, {}) == ['$["x.y"]: missing key']


def test_unicode_keys_and_values() -> None:
    assert matches({"naïve": "日本語 ✓"}, {"naïve": "日本語 ✓"})
    assert reasons({"naïve": "é"}, {"naïve": "e"}) == ['$.naïve: expected "é", got "e"']


def test_all_differences_are_reported_in_document_order() -> None:
    got = reasons({"a": 1, "b": 2, "c": 3}, {"a": 0, "c": 0})
    assert got == ["$.a: expected 1, got 0", "$.b: missing key", "$.c: expected 3, got 0"]


def test_object_expected_but_array_received() -> None:
    assert reasons({"a": 1}, [1]) == ["$: expected an object, got an array"]
    assert reasons({"a": {}}, {"a": "x"}) == ['$.a: expected an object, got "x" (a string)']


def test_object_expected_but_null_received() -> None:
    assert reasons({"a": {"b": 1}}, {"a": None}) == ["$.a: expected an object, got null"]


# -- arrays -------------------------------------------------------------------------


def test_arrays_match_element_wise() -> None:
    assert matches([1, {"a": 1}], [1.0, {"a": 1, "b": 2}])


def test_array_order_matters() -> None:
    assert reasons([1, 2], [2, 1]) == ["$[0]: expected 1, got 2", "$[1]: expected 2, got 1"]


def test_array_length_must_be_equal() -> None:
    assert reasons({"items": [1, 2]}, {"items": [1, 2, 3]}) == [
        "$.items: expected an array of 2 items, got 3"
    ]
    assert reasons([1], []) == ["$: expected an array of 1 item, got 0"]


def test_shorter_array_also_reports_differences_in_common_part() -> None:
    assert reasons([1, 2], [5]) == [
        "$: expected an array of 2 items, got 1",
        "$[0]: expected 1, got 5",
    ]


def test_empty_array_only_matches_empty_array() -> None:
    assert matches([], [])
    assert not matches([], [1])


def test_array_expected_but_object_received() -> None:
    assert reasons({"a": [1, 2]}, {"a": {"0": 1}}) == [
        "$.a: expected an array of 2 items, got an object"
    ]


def test_nested_arrays() -> None:
    assert matches([[1, [2]], []], [[1, [2]], []])
    assert reasons([[1, [2]]], [[1, [3]]]) == ["$[0][1][0]: expected 2, got 3"]


# -- scalars ------------------------------------------------------------------------


def test_numbers_compare_by_value() -> None:
    assert matches(2, 2.0)
    assert matches({"x": 2.0}, {"x": 2})
    assert not matches(2, 2.5)


def test_booleans_never_equal_numbers() -> None:
    assert reasons(True, 1) == ["$: expected true, got 1 (a number)"]
    assert reasons(1, True) == ["$: expected 1, got true (a boolean)"]
    assert reasons(0, False) == ["$: expected 0, got false (a boolean)"]
    assert matches(False, False)


def test_null_only_matches_null() -> None:
    assert matches(None, None)
    assert reasons(None, 0) == ["$: expected null, got 0 (a number)"]
    assert reasons(None, "") == ['$: expected null, got "" (a string)']
    assert reasons(0, None) == ["$: expected 0, got null"]


def test_number_and_string_never_equal() -> None:
    assert not matches("2", 2)
    assert not matches(2, "2")


def test_big_numbers_compare_exactly() -> None:
    big = 12345678901234567890123
    assert matches(big, big)
    assert not matches(big, big + 1)
    assert not matches(10**30, 1e30)  # 1e30 is not exactly 10**30 as a float


def test_strings_are_compared_exactly() -> None:
    assert not matches("hi", "Hi")
    assert not matches("hi", "hi ")


# -- matcher strings ----------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 0, "", [], {}, False, "x"])
def test_any_matches_every_present_value(value: Any) -> None:
    assert matches({"v": "{{any}}"}, {"v": value})


def test_any_does_not_match_missing_key() -> None:
    assert reasons({"v": "{{any}}"}, {}) == ["$.v: missing key"]


@pytest.mark.parametrize(
    ("matcher", "good", "bad", "reason"),
    [
        ("{{string}}", "", 1, "expected a string, got 1 (a number)"),
        ("{{number}}", 2.5, "2", 'expected a number, got "2" (a string)'),
        ("{{number}}", 0, True, "expected a number, got true (a boolean)"),
        ("{{integer}}", 3, 3.5, "expected an integer, got 3.5"),
        ("{{integer}}", 2.0, False, "expected an integer, got false (a boolean)"),
        ("{{boolean}}", False, 0, "expected a boolean, got 0 (a number)"),
        ("{{null}}", None, "null", 'expected null, got "null" (a string)'),
        ("{{null}}", None, 0, "expected null, got 0 (a number)"),
    ],
)
def test_kind_matchers(matcher: str, good: Any, bad: Any, reason: str) -> None:
    assert matches({"v": matcher}, {"v": good})
    assert reasons({"v": matcher}, {"v": bad}) == [f"$.v: {reason}"]


def test_kind_matcher_against_containers() -> None:
    assert reasons("{{string}}", [1]) == ["$: expected a string, got an array"]
    assert reasons("{{number}}", {}) == ["$: expected a number, got an object"]


@pytest.mark.parametrize(
    "value",
    [
        "123e4567-e89b-12d3-a456-426614174000",
        "123E4567-E89B-12D3-A456-426614174000",
        "00000000-0000-0000-0000-000000000000",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    ],
)
def test_uuid_accepts_textual_uuids(value: str) -> None:
    assert matches("{{uuid}}", value)


@pytest.mark.parametrize(
    "value",
    [
        "123e4567e89b12d3a456426614174000",
        "123e4567-e89b-12d3-a456-42661417400",
        "123e4567-e89b-12d3-a456-4266141740000",
        "{123e4567-e89b-12d3-a456-426614174000}",
        "g23e4567-e89b-12d3-a456-426614174000",
        " 123e4567-e89b-12d3-a456-426614174000",
        "123e4567-e89b-12d3-a456-426614174000\n",
    ],
)
def test_uuid_rejects_other_strings(value: str) -> None:
    assert not matches("{{uuid}}", value)


def test_uuid_rejects_non_strings() -> None:
    assert reasons("{{uuid}}", 5) == ["$: expected a UUID, got 5 (a number)"]


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-26T19:00:00Z",
        "2026-11-26T19:00:00z",
        "2026-11-26T19:00:00.123Z",
        "2026-11-26T19:00:00.123456+01:00",
        "2026-11-26T19:00:00-05:30",
        "2026-11-26T19:00",
        "2026-11-26T19:00:00",
    ],
)
def test_iso8601_accepts_date_times(value: str) -> None:
    assert matches("{{iso8601}}", value)


@pytest.mark.parametrize(
    "value",
    ["2026-11-26", "yesterday", "2026-13-26T19:00:00Z", "2026-11-26T25:00:00Z", "", 1764183600],
)
def test_iso8601_rejects_other_values(value: Any) -> None:
    assert not matches("{{iso8601}}", value)


def test_iso8601_reason() -> None:
    assert reasons("{{iso8601}}", "soon") == ['$: expected an ISO 8601 date-time, got "soon"']


def test_regex_uses_search_so_anchors_matter() -> None:
    assert matches("{{regex:order-}}", "my-order-1")
    assert not matches("{{regex:^order-}}", "my-order-1")
    assert matches("{{regex:^order-[a-z0-9]+$}}", "order-ab12")
    assert not matches("{{regex:^order-[a-z0-9]+$}}", "order-AB12")


def test_regex_pattern_is_taken_verbatim_including_braces_and_spaces() -> None:
    assert matches("{{regex:^a{2} b$}}", "aa b")
    assert not matches("{{regex:^a{2} b$}}", "a b")


def test_regex_rejects_non_strings_with_reason() -> None:
    assert reasons({"n": "{{regex:^\\d+$}}"}, {"n": 12}) == [
        "$.n: expected a string matching /^\\d+$/, got 12 (a number)"
    ]


def test_regex_mismatch_reason_on_string() -> None:
    assert reasons("{{regex:^x}}", "y") == ['$: expected a string matching /^x/, got "y"']


def test_invalid_regex_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="invalid regular expression"):
        match("{{regex:(}}", "x")


def test_absent_passes_when_key_missing() -> None:
    assert matches({"type": "ok", "error": "{{absent}}"}, {"type": "ok"})


def test_absent_fails_when_key_present_even_if_null() -> None:
    assert reasons({"error": "{{absent}}"}, {"error": None}) == [
        "$.error: expected no such key, got null"
    ]
    assert reasons({"error": "{{absent}}"}, {"error": "boom"}) == [
        '$.error: expected no such key, got "boom"'
    ]


def test_absent_outside_an_object_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"\$\[0\] only works as the value of an object key"):
        match(["{{absent}}"], [])
    with pytest.raises(UsageError):
        match("{{absent}}", 1)


def test_unknown_matcher_names_the_known_ones() -> None:
    with pytest.raises(UsageError) as info:
        match({"id": "{{uid}}"}, {"id": "x"})
    text = str(info.value)
    assert "{{uid}}" in text
    for known in KNOWN_MATCHERS:
        assert known in text


def test_unknown_matcher_is_reported_even_when_key_is_missing() -> None:
    with pytest.raises(UsageError):
        match({"id": "{{uid}}"}, {})


def test_spaces_inside_braces_are_allowed_for_named_matchers() -> None:
    assert matches("{{ uuid }}", "123e4567-e89b-12d3-a456-426614174000")


def test_only_whole_strings_are_matchers() -> None:
    assert parse_matcher("id is {{uuid}}") is None
    assert matches("id is {{uuid}}", "id is {{uuid}}")
    assert not matches("id is {{uuid}}", "id is 123e4567-e89b-12d3-a456-426614174000")


def test_matchers_inside_arrays() -> None:
    assert matches(["{{integer}}", "{{string}}"], [1, "a"])
    assert reasons(["{{integer}}", "{{string}}"], [1, 2]) == [
        "$[1]: expected a string, got 2 (a number)"
    ]


def test_mismatch_keeps_expected_and_actual_values() -> None:
    [m] = match({"a": "{{string}}"}, {"a": 3})
    assert (m.path, m.expected, m.actual) == ("$.a", "{{string}}", 3)


def test_check_expected_accepts_valid_documents() -> None:
    check_expected({"a": ["{{any}}", {"b": "{{absent}}"}], "c": "{{regex:x}}"})


def test_match_root_path_can_be_renamed() -> None:
    assert [m.path for m in match({"a": 1}, {"a": 2}, path="$.data")] == ["$.data.a"]
