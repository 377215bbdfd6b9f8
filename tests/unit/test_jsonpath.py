"""Simple JSON path selectors (wsbdd.core.matching.jsonpath)."""

from __future__ import annotations

from typing import Any

import pytest

from wsbdd.core.exceptions import UsageError
from wsbdd.core.matching.jsonpath import PathNotFound, parse_path, select

DOC: dict[str, Any] = {
    "id": "o-1",
    "items": [{"qty": 2, "sku": "a"}, {"qty": 0, "sku": None}],
    "a b": {"c-d": True},
    "empty": [],
    "naïve": "ok",
    "n": None,
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$", DOC),
        ("$.id", "o-1"),
        ("id", "o-1"),
        (".id", "o-1"),
        ("  $.id  ", "o-1"),
        ("$.items[0].qty", 2),
        ("items[0].qty", 2),
        ("$.items[1].qty", 0),
        ("$.items[-1].sku", None),
        ("$.items[-2].sku", "a"),
        ('$["a b"]["c-d"]', True),
        ("$['a b']['c-d']", True),
        ("$['a b'].c-d", True),
        ("$.naïve", "ok"),
        ("$.n", None),
        ("$.empty", []),
        ("$['id']", "o-1"),
    ],
)
def test_select(path: str, value: Any) -> None:
    assert select(DOC, path) == value


def test_select_on_array_root() -> None:
    assert select([[1, 2], [3]], "$[1][0]") == 3


def test_parse_path_parts() -> None:
    assert parse_path('$.items[0]["a b"][-1]') == ["items", 0, "a b", -1]
    assert parse_path("$") == []
    assert parse_path('$["quote\\"d"]') == ['quote"d']
    assert parse_path("$['it\\'s']") == ["it's"]


def test_index_out_of_range_says_how_many_items() -> None:
    with pytest.raises(PathNotFound) as info:
        select({"items": []}, "$.items[0].qty")
    assert str(info.value) == "no value at $.items[0].qty (stopped at $.items: array has 0 items)"
    assert info.value.path == "$.items[0].qty"
    assert info.value.reached == "$.items"


def test_negative_index_out_of_range() -> None:
    with pytest.raises(PathNotFound, match="array has 2 items"):
        select(DOC, "$.items[-3]")


def test_missing_key_lists_the_keys() -> None:
    with pytest.raises(PathNotFound) as info:
        select(DOC, "items[0].price")
    assert str(info.value) == (
        'no value at $.items[0].price (stopped at $.items[0]: no key "price"; keys: qty, sku)'
    )


def test_missing_key_in_empty_object() -> None:
    with pytest.raises(PathNotFound, match="the object is empty"):
        select({}, "$.x")


def test_key_on_a_scalar_or_array() -> None:
    with pytest.raises(PathNotFound, match=r"stopped at \$\.id: is a string, not an object"):
        select(DOC, "$.id.x")
    with pytest.raises(PathNotFound, match=r"stopped at \$\.items: is an array, not an object"):
        select(DOC, "$.items.qty")
    with pytest.raises(PathNotFound, match=r"stopped at \$\.n: is null, not an object"):
        select(DOC, "$.n.x")


def test_index_on_an_object() -> None:
    with pytest.raises(PathNotFound, match="is an object, not an array"):
        select(DOC, "$[0]")


def test_path_not_found_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        select({}, "$.x")


@pytest.mark.parametrize("path", ["$..id", "$.items[*]", "$.items[0", "$[abc]", "$ .id", "$x"])
def test_unsupported_paths_are_usage_errors(path: str) -> None:
    with pytest.raises(UsageError, match="invalid JSON path"):
        select(DOC, path)


def test_quoted_digit_is_a_key_not_an_index() -> None:
    assert select({"0": "zero"}, '$["0"]') == "zero"
    with pytest.raises(PathNotFound):
        select({"0": "zero"}, "$[0]")
