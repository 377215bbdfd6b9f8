"""``matches(e, a)`` is exactly ``not match(e, a)``: one set of rules, two answers.

``matches`` is the cheap yes/no walk every wait's probe uses; ``match`` is
the full diff a failure shows. They share the walk, and these cases (the
situations of ``test_matchers.py``, on both sides of each rule) pin that
they never disagree, including on mistakes in the expected value.
"""

from __future__ import annotations

from typing import Any

import pytest

from wsbdd.core.exceptions import UsageError
from wsbdd.core.matching import match, matches

CASES: list[tuple[Any, Any]] = [
    # objects match partially
    ({"a": 1}, {"a": 1, "b": 2}),
    ({}, {"x": 1}),
    ({}, []),
    ({"a": 1, "b": 2}, {"a": 1}),
    ({"a": 1}, {"a": 2}),
    ({"a": {"b": [1, {"c": 2}]}}, {"a": {"b": [1, {"c": 3}]}}),
    ({"a": {"b": [1, {"c": 2}]}}, {"a": {"b": [1, {"c": 2, "d": 0}]}}),
    ({"a b": 1, "ключ": "значение"}, {"a b": 1, "ключ": "значение"}),
    ({"a b": 1}, {"a b": 2}),
    ({"a": 1, "b": 2, "c": 3}, {"a": 0, "b": 2, "c": 0}),
    ({"a": 1}, [1]),
    ({"a": 1}, None),
    # arrays match element by element, same length
    ([1, 2, 3], [1, 2, 3]),
    ([1, 2], [2, 1]),
    ([1, 2, 3], [1, 2]),
    ([1, 2], [1, 2, 3]),
    ([1, 9], [2]),
    ([], []),
    ([], [1]),
    ([1], {"0": 1}),
    ([[1, 2], [3]], [[1, 2], [3]]),
    ([[1, 2], [3]], [[1, 2], [4]]),
    ((1, 2), [1, 2]),
    # numbers, booleans, null, strings
    (2, 2.0),
    (2.5, 2.5),
    (2, "2"),
    ("2", 2),
    (True, 1),
    (1, True),
    (False, 0),
    (None, None),
    (None, 0),
    (None, False),
    (0, None),
    (12345678901234567890, 12345678901234567891),
    (12345678901234567890, 12345678901234567890),
    ("abc", "abc"),
    ("abc", "ABC"),
    ("", None),
    # matchers
    ("{{any}}", None),
    ("{{any}}", {}),
    ({"a": "{{any}}"}, {}),
    ("{{string}}", "x"),
    ("{{string}}", 1),
    ("{{number}}", 1.5),
    ("{{number}}", True),
    ("{{integer}}", 2.0),
    ("{{integer}}", 2.5),
    ("{{boolean}}", False),
    ("{{boolean}}", 0),
    ("{{null}}", None),
    ("{{null}}", "null"),
    ("{{uuid}}", "123e4567-e89b-12d3-a456-426614174000"),
    ("{{uuid}}", "123e4567e89b12d3a456426614174000"),
    ("{{uuid}}", 5),
    ("{{iso8601}}", "2026-11-26T19:00:00Z"),
    ("{{iso8601}}", "2026-11-26"),
    ("{{iso8601}}", 1764183600),
    ("{{regex:^a}}", "abc"),
    ("{{regex:^a}}", "bac"),
    ("{{regex:^a}}", 1),
    ("{{regex:x*}}", ""),
    ("{{ uuid }}", "123e4567-e89b-12d3-a456-426614174000"),
    ("x{{any}}", "anything"),
    ({"error": "{{absent}}"}, {}),
    ({"error": "{{absent}}"}, {"error": None}),
    ({"error": "{{absent}}"}, "not an object"),
    ([{"id": "{{uuid}}", "n": "{{integer}}"}], [{"id": "nope", "n": 1.5}]),
    (
        [{"id": "{{uuid}}", "n": "{{integer}}"}],
        [{"id": "123e4567-e89b-12d3-a456-426614174000", "n": 1}],
    ),
    # mistakes in the expected value
    ("{{absent}}", None),
    (["{{absent}}"], []),
    ({"a": ["{{absent}}"]}, {"a": [1]}),
    ({"a": "{{uid}}"}, {}),
    ("{{regex:(}}", "x"),
]


def _outcome(call: Any) -> Any:
    try:
        return call()
    except UsageError as exc:
        return ("UsageError", str(exc))


@pytest.mark.parametrize(("expected", "actual"), CASES)
def test_matches_is_the_negation_of_match(expected: Any, actual: Any) -> None:
    full = _outcome(lambda: match(expected, actual))
    quick = _outcome(lambda: matches(expected, actual))
    if isinstance(full, tuple):  # a mistake in the suite: both report it, identically
        assert quick == full
    else:
        assert quick is (not full)


def test_the_cases_cover_both_answers_and_mistakes() -> None:
    outcomes = [_outcome(lambda e=e, a=a: matches(e, a)) for e, a in CASES]
    assert True in outcomes
    assert False in outcomes
    assert any(isinstance(o, tuple) for o in outcomes)
