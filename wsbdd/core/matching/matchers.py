"""Partial matching of an expected JSON value against a received one.

The rules a tester writes by:

* **Objects match partially.** Every key written in the expected object must
  be present in the actual object and match; keys not written are ignored.
* **Arrays match element by element** and must have the same length.
* **Numbers compare by value** (``2`` matches ``2.0``); booleans never equal
  numbers (``true`` does not match ``1``); ``null`` only matches ``null``.
* **Matcher strings.** A string value that is exactly one of these matches a
  kind of value instead of one value:

  ==========================  ================================================
  ``"{{any}}"``               any value that is present, ``null`` included
  ``"{{string}}"``            any string
  ``"{{number}}"``            any number (not a boolean)
  ``"{{integer}}"``           a whole number (``2`` or ``2.0``)
  ``"{{boolean}}"``           ``true`` or ``false``
  ``"{{null}}"``              ``null``
  ``"{{uuid}}"``              a textual UUID (``8-4-4-4-12`` hex digits)
  ``"{{iso8601}}"``           an ISO 8601 date-time, e.g. ``2026-11-26T19:00:00Z``
  ``"{{regex:PATTERN}}"``     a string in which ``PATTERN`` is found
                              (``re.search``: use ``^`` and ``$`` to anchor)
  ``"{{absent}}"``            as an object value only: the key must not exist
  ==========================  ================================================

Spaces inside the braces are allowed for the named matchers (``{{ uuid }}``);
a regex pattern is taken exactly as written after ``regex:``. An unknown
matcher such as ``"{{uid}}"`` is a mistake in the suite and raises
:class:`~wsbdd.core.exceptions.UsageError` naming the known ones.

:func:`match` returns one :class:`Mismatch` per difference, each with the
JSON path of the value and a short reason, e.g.
``$.items[0].qty: expected 2, got "2" (a string)``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

from wsbdd.core.exceptions import UsageError
from wsbdd.core.matching._describe import compact, describe_got, items, kind_of
from wsbdd.core.matching._paths import child
from wsbdd.core.mismatch import Mismatch

__all__ = [
    "KNOWN_MATCHERS",
    "MISSING",
    "Matcher",
    "Mismatch",
    "Missing",
    "check_expected",
    "match",
    "matches",
    "parse_matcher",
]

KNOWN_MATCHERS: Final = (
    "{{any}}",
    "{{string}}",
    "{{number}}",
    "{{integer}}",
    "{{boolean}}",
    "{{null}}",
    "{{uuid}}",
    "{{iso8601}}",
    "{{regex:PATTERN}}",
    "{{absent}}",
)
"""Every matcher string, as written in expected JSON."""


class Missing(enum.Enum):
    """Marker for "no value here": the ``actual`` of a missing key."""

    MISSING = "missing"


MISSING: Final = Missing.MISSING


_MATCHER_RE: Final = re.compile(r"\A\{\{(.*)\}\}\Z", re.DOTALL)
_UUID_RE: Final = re.compile(
    r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)
_NAMED: Final = frozenset(
    {"any", "string", "number", "integer", "boolean", "null", "uuid", "iso8601", "absent"}
)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_iso8601(text: str) -> bool:
    # A date-time, not a bare date: "2026-11-26T19:00:00Z", with optional
    # fraction and offset ("+01:00"). "Z" is accepted in any case.
    if len(text) < 16 or text[10:11] not in ("T", "t", " "):
        return False
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Matcher:
    """A parsed matcher string such as ``{{uuid}}`` or ``{{regex:^a}}``."""

    name: str
    text: str
    pattern: re.Pattern[str] | None = None

    def accepts(self, actual: Any) -> bool:
        """True when ``actual`` passes (no reason text is built)."""
        name = self.name
        if name == "any":
            return True
        if name == "absent":
            return False
        if name == "regex":
            assert self.pattern is not None
            return isinstance(actual, str) and self.pattern.search(actual) is not None
        return self._simple(actual)[0]

    def check(self, actual: Any) -> str | None:
        """``None`` when ``actual`` passes, else the reason it does not."""
        if self.accepts(actual):
            return None
        name = self.name
        if name == "absent":
            return f"expected no such key, got {describe_got(actual)}"
        if name == "regex":
            assert self.pattern is not None
            wanted = f"a string matching /{self.pattern.pattern}/"
            return f"expected {wanted}, got {describe_got(actual, 'a string')}"
        _ok, wanted, kind = self._simple(actual)
        return f"expected {wanted}, got {describe_got(actual, kind)}"

    def _simple(self, actual: Any) -> tuple[bool, str, str]:
        name = self.name
        if name == "string":
            return isinstance(actual, str), "a string", "a string"
        if name == "number":
            return _is_number(actual), "a number", "a number"
        if name == "integer":
            ok = _is_number(actual) and float(actual).is_integer()
            return ok, "an integer", "a number"
        if name == "boolean":
            return isinstance(actual, bool), "a boolean", "a boolean"
        if name == "null":
            return actual is None, "null", "null"
        if name == "uuid":
            ok = isinstance(actual, str) and bool(_UUID_RE.match(actual))
            return ok, "a UUID", "a string"
        # iso8601
        ok = isinstance(actual, str) and _is_iso8601(actual)
        return ok, "an ISO 8601 date-time", "a string"


@lru_cache(maxsize=512)
def parse_matcher(text: str) -> Matcher | None:
    """The matcher written as ``text``, or ``None`` when ``text`` is a plain string.

    Raises :class:`UsageError` for ``{{unknown}}`` or an invalid regex.
    """
    found = _MATCHER_RE.match(text)
    if found is None:
        return None
    inner = found.group(1)
    stripped = inner.strip()
    if stripped.startswith("regex:"):
        pattern = inner.split("regex:", 1)[1]
        try:
            compiled = re.compile(pattern)
        except re.error as err:
            raise UsageError(f"invalid regular expression in {text!r}: {err}") from None
        return Matcher("regex", text, compiled)
    if stripped in _NAMED:
        return Matcher(stripped, text)
    raise UsageError(f"unknown matcher {text!r}; known matchers: {', '.join(KNOWN_MATCHERS)}")


def check_expected(expected: Any, *, path: str = "$", in_object: bool = False) -> None:
    """Raise :class:`UsageError` if ``expected`` uses an unknown or misplaced matcher.

    ``{{absent}}`` is only allowed as the value of an object key. :func:`match`
    and :func:`matches` call this first, so a mistake is reported whatever arrived.
    """
    if _valid(expected, in_object):
        return  # the usual case, found without building a single path
    _check_expected(expected, path, in_object)


def _valid(expected: Any, in_object: bool) -> bool:
    """False when ``expected`` holds a misplaced ``{{absent}}`` (unknown matchers raise)."""
    if isinstance(expected, str):
        matcher = parse_matcher(expected)
        return matcher is None or matcher.name != "absent" or in_object
    if isinstance(expected, dict):
        return all(_valid(value, True) for value in expected.values())
    if isinstance(expected, list | tuple):
        return all(_valid(value, False) for value in expected)
    return True


def _check_expected(expected: Any, path: str, in_object: bool) -> None:
    if isinstance(expected, str):
        matcher = parse_matcher(expected)
        if matcher is not None and matcher.name == "absent" and not in_object:
            raise UsageError(
                f'"{{{{absent}}}}" at {path} only works as the value of an object key, '
                'e.g. {"error": "{{absent}}"}'
            )
    elif isinstance(expected, dict):
        for key, value in expected.items():
            _check_expected(value, child(path, str(key)), True)
    elif isinstance(expected, list | tuple):
        for index, value in enumerate(expected):
            _check_expected(value, child(path, index), False)


def match(expected: Any, actual: Any, *, path: str = "$") -> list[Mismatch]:
    """Every difference between ``expected`` and ``actual``; empty means they match.

    ``expected`` is parsed JSON that may hold matcher strings; ``actual`` is
    the received value. ``path`` names the root in the mismatches (``$``).
    """
    check_expected(expected, path=path)
    return list(_walk(expected, actual, path, True))


def matches(expected: Any, actual: Any) -> bool:
    """True when ``actual`` matches ``expected`` (see :func:`match`).

    The same rules as :func:`match`, but it stops at the first difference
    and builds no path or reason text: the cheap test for a wait's probe.
    """
    check_expected(expected)
    return next(_walk(expected, actual, "$", False), None) is None


_DIFFERS: Final = Mismatch("$", None, None, "differs")
"""What the walk yields for a difference when it is not asked to explain it."""


def _walk(expected: Any, actual: Any, path: str, explain: bool) -> Iterator[Mismatch]:
    """The differences, lazily and in document order.

    With ``explain`` off every difference is :data:`_DIFFERS` and no path or
    reason is built (``path`` is then not kept up to date either).
    """
    if isinstance(expected, str):
        matcher = parse_matcher(expected)
        if matcher is not None:
            if not matcher.accepts(actual):
                yield (
                    Mismatch(path, expected, actual, matcher.check(actual) or "")
                    if explain
                    else _DIFFERS
                )
            return
        if actual != expected:
            yield _scalar_mismatch(expected, actual, path, explain)
        return
    if isinstance(expected, dict):
        yield from _walk_object(expected, actual, path, explain)
        return
    if isinstance(expected, list | tuple):
        yield from _walk_array(expected, actual, path, explain)
        return
    if expected is None or isinstance(expected, bool):
        # Identity keeps true apart from 1 and null apart from everything else.
        if actual is not expected:
            yield _scalar_mismatch(expected, actual, path, explain)
        return
    if _is_number(expected):
        if not (_is_number(actual) and actual == expected):
            yield _scalar_mismatch(expected, actual, path, explain)
        return
    if expected != actual:
        yield _scalar_mismatch(expected, actual, path, explain)


def _scalar_mismatch(expected: Any, actual: Any, path: str, explain: bool) -> Mismatch:
    if not explain:
        return _DIFFERS
    reason = f"expected {compact(expected, 120)}, got {describe_got(actual, kind_of(expected))}"
    return Mismatch(path, expected, actual, reason)


def _walk_object(
    expected: dict[Any, Any], actual: Any, path: str, explain: bool
) -> Iterator[Mismatch]:
    if not isinstance(actual, dict):
        yield (
            Mismatch(
                path,
                expected,
                actual,
                f"expected an object, got {describe_got(actual, 'an object')}",
            )
            if explain
            else _DIFFERS
        )
        return
    for key, wanted in expected.items():
        key_path = child(path, str(key)) if explain else path
        matcher = parse_matcher(wanted) if isinstance(wanted, str) else None
        if matcher is not None and matcher.name == "absent":
            if key in actual:
                yield (
                    Mismatch(key_path, wanted, actual[key], matcher.check(actual[key]) or "")
                    if explain
                    else _DIFFERS
                )
            continue
        if key not in actual:
            yield Mismatch(key_path, wanted, MISSING, "missing key") if explain else _DIFFERS
            continue
        yield from _walk(wanted, actual[key], key_path, explain)


def _walk_array(
    expected: list[Any] | tuple[Any, ...], actual: Any, path: str, explain: bool
) -> Iterator[Mismatch]:
    if not isinstance(actual, list | tuple):
        yield (
            Mismatch(
                path,
                expected,
                actual,
                f"expected an array of {items(len(expected))}, "
                f"got {describe_got(actual, 'an array')}",
            )
            if explain
            else _DIFFERS
        )
        return
    if len(actual) != len(expected):
        yield (
            Mismatch(
                path,
                expected,
                actual,
                f"expected an array of {items(len(expected))}, got {len(actual)}",
            )
            if explain
            else _DIFFERS
        )
    for index, (wanted, got) in enumerate(zip(expected, actual, strict=False)):
        yield from _walk(wanted, got, child(path, index) if explain else path, explain)
