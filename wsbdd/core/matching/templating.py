"""``${name}`` variables in step text and JSON.

Where a name is looked up, in this order:

1. **scenario variables**, set by steps such as ``Given the variable "room"
   is "room:lobby"`` or ``When I save "$.id" from ... as "order_id"``;
2. **environment variables**, from the mapping given to :class:`Variables`
   (the loaded ``environments/<name>.env``; ``os.environ`` is never read here);
3. **generators**: ``${uuid}`` (a new random UUID each time it is used),
   ``${now}`` (the current UTC time, ``2026-11-26T19:00:00.123Z``) and
   ``${timestamp}`` (milliseconds since the Unix epoch, a number).

``${i}`` is the counter of a repeated send. It exists only in the
:class:`Variables` returned by :meth:`Variables.with_counter` and then always
wins over a scenario or environment variable named ``i``.

Names may contain letters, digits, ``_``, ``-`` and ``.``. To write a literal
``${``, double the dollar: ``$${`` (``"$${x}"`` gives ``"${x}"``). A ``${``
not followed by a valid name and ``}`` is a mistake and raises
:class:`~wsbdd.core.exceptions.UsageError`.

In JSON (:func:`render_json`, :func:`render_json_lines`,
:func:`substitute_json`) a placeholder keeps the variable's JSON type where
that is possible:

* a string that is exactly ``"${name}"`` becomes the value itself:
  ``{"qty": "${qty}"}`` with ``qty = 2`` gives ``{"qty": 2}``; with a string
  value it stays a string (object keys always stay strings);
* a placeholder inside a longer string inserts the value as text:
  ``"n=${i}"`` gives ``"n=3"`` (``true``/``false``/``null`` for those values);
* an unquoted placeholder, ``{"qty": ${qty}}``, inserts the value as JSON; a
  string value that is itself valid JSON (such as the environment value
  ``"2"``) is inserted as that JSON, so ``${qty}`` becomes the number 2.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from wsbdd.core.exceptions import UnknownVariable, UsageError

__all__ = [
    "GENERATORS",
    "NAME_PATTERN",
    "Variables",
    "render_json",
    "render_json_lines",
    "substitute",
    "substitute_json",
    "to_text",
]

NAME_PATTERN: Final = r"[A-Za-z0-9_.\-]+"
"""The characters a variable name may hold."""

GENERATORS: Final = ("uuid", "now", "timestamp")
"""Names that always resolve to a fresh value (``i`` only under :meth:`Variables.with_counter`)."""

_NAME_RE: Final = re.compile(rf"\A{NAME_PATTERN}\Z")
_PLACEHOLDER: Final = rf"\$\$\{{|\$\{{({NAME_PATTERN})\}}|\$\{{"
_TEXT_RE: Final = re.compile(_PLACEHOLDER)
_JSON_RE: Final = re.compile(r'"(?:[^"\\]|\\.)*"|' + _PLACEHOLDER, re.DOTALL)
_EXACT_RE: Final = re.compile(rf'\A"\$\{{({NAME_PATTERN})\}}"\Z')


class Variables:
    """The variables of one scenario, with environment and generator fallbacks.

    ``scenario`` is used as given, not copied: :meth:`set` writes into it.
    ``clock`` (wall-clock seconds) and ``new_uuid`` can be replaced in tests.
    """

    def __init__(
        self,
        scenario: dict[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        new_uuid: Callable[[], uuid.UUID] = uuid.uuid4,
    ) -> None:
        self.scenario: dict[str, Any] = {} if scenario is None else scenario
        self.environ: Mapping[str, str] = {} if environ is None else environ
        self._clock = clock
        self._new_uuid = new_uuid
        self._counter: int | None = None

    def with_counter(self, i: int) -> Variables:
        """The same variables (sharing the scenario dict) with ``${i}`` set to ``i``."""
        other = Variables(self.scenario, self.environ, clock=self._clock, new_uuid=self._new_uuid)
        other._counter = i
        return other

    def set(self, name: str, value: Any) -> None:
        """Set scenario variable ``name`` (raises :class:`UsageError` for a bad name)."""
        if not _NAME_RE.match(name):
            raise UsageError(
                f"invalid variable name {name!r}: use letters, digits, '_', '-' and '.'"
            )
        self.scenario[name] = value

    def get(self, name: str) -> Any:
        """The value of ``name``; raises :class:`UnknownVariable` when there is none."""
        if name == "i" and self._counter is not None:
            return self._counter
        if name in self.scenario:
            return self.scenario[name]
        if name in self.environ:
            return self.environ[name]
        if name == "uuid":
            return str(self._new_uuid())
        if name == "now":
            moment = datetime.fromtimestamp(self._clock(), tz=UTC)
            return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        if name == "timestamp":
            return int(self._clock() * 1000)
        raise UnknownVariable(name, self.names())

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return (
            name in self.scenario
            or name in self.environ
            or name in GENERATORS
            or (name == "i" and self._counter is not None)
        )

    def names(self) -> list[str]:
        """Scenario variables and generators (environment names are left out)."""
        extra = ["i"] if self._counter is not None else []
        return sorted({*self.scenario, *GENERATORS, *extra})


def to_text(value: Any) -> str:
    """How a value reads inside text: strings as they are, others as JSON (``true``, ``2``)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _as_json(value: Any) -> str:
    """How a value reads in JSON where a placeholder stood unquoted."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return json.dumps(value, ensure_ascii=False)
        return value.strip()
    return json.dumps(value, ensure_ascii=False, default=str)


def _is_key(text: str, end: int) -> bool:
    """True when the string ending at ``end`` is an object key (a ``:`` follows)."""
    rest = text[end:].lstrip()
    return rest.startswith(":")


def _bare_dollar(text: str, pos: int) -> UsageError:
    snippet = text[pos : pos + 30]
    return UsageError(
        f"invalid variable reference {snippet!r}: write ${{name}} with letters, digits, "
        "'_', '-' or '.' in the name, or $${ for a literal ${"
    )


def _placeholder(found: re.Match[str], variables: Variables, show: Callable[[Any], str]) -> str:
    """What one ``${name}`` (``show`` of its value) or ``$${`` (a literal ``${``) becomes."""
    if found.group() == "$${":
        return "${"
    name = found.group(1)
    if name is None:
        raise _bare_dollar(found.string, found.start())
    return show(variables.get(name))


def substitute(text: str, variables: Variables) -> str:
    """Replace every ``${name}`` in plain text by the variable's text (see :func:`to_text`)."""
    return _TEXT_RE.sub(lambda found: _placeholder(found, variables, to_text), text)


def substitute_json(text: str, variables: Variables) -> str:
    """Replace placeholders in JSON text, keeping JSON types (see the module help).

    The layout of ``text`` is kept; only the placeholders change. The result
    is not checked: use :func:`render_json` to get the parsed value.
    """

    def in_string(value: Any) -> str:
        return json.dumps(to_text(value), ensure_ascii=False)[1:-1]

    def replace(found: re.Match[str]) -> str:
        token = found.group()
        if token.startswith('"'):
            exact = _EXACT_RE.match(token)
            if exact is not None and not _is_key(found.string, found.end()):
                return json.dumps(variables.get(exact.group(1)), ensure_ascii=False, default=str)
            return _TEXT_RE.sub(lambda inner: _placeholder(inner, variables, in_string), token)
        return _placeholder(found, variables, _as_json)

    return _JSON_RE.sub(replace, text)


def _json_error(err: json.JSONDecodeError, what: str) -> UsageError:
    lines = err.doc.splitlines() or [""]
    line = lines[min(err.lineno, len(lines)) - 1]
    caret = " " * (err.colno - 1) + "^"
    return UsageError(
        f"{what}: {err.msg} at line {err.lineno}, column {err.colno}:\n  {line}\n  {caret}"
    )


def render_json(text: str, variables: Variables) -> Any:
    """Substitute the variables of a JSON document, then parse it.

    Raises :class:`UsageError` naming the line and column, and quoting the
    line, when the result is not exactly one JSON value.
    """
    rendered = substitute_json(text, variables)
    try:
        return json.loads(rendered)
    except json.JSONDecodeError as err:
        raise _json_error(err, "invalid JSON") from None


def render_json_lines(text: str, variables: Variables) -> list[Any]:
    """Substitute, then parse the JSON values of a list doc string: one value per line.

    A value may be pretty-printed over several lines, but each starts on a new
    line: ``30 12`` on one line is a mistake (two values), not two numbers.
    Raises :class:`UsageError` naming the line, for invalid JSON, a second
    value on a line, or no value at all.
    """
    rendered = substitute_json(text, variables)
    decoder = json.JSONDecoder()
    values: list[Any] = []
    pos = 0
    while True:
        while pos < len(rendered) and rendered[pos] in " \t\r\n":
            pos += 1
        if pos >= len(rendered):
            break
        try:
            value, pos = decoder.raw_decode(rendered, pos)
        except json.JSONDecodeError as err:
            raise _json_error(err, f"invalid JSON in value #{len(values) + 1}") from None
        values.append(value)
        while pos < len(rendered) and rendered[pos] in " \t\r":
            pos += 1
        if pos < len(rendered) and rendered[pos] != "\n":
            second = json.JSONDecodeError(
                f"value #{len(values) + 1} starts on the line of value #{len(values)} "
                "(write one JSON value per line)",
                rendered,
                pos,
            )
            raise _json_error(second, "invalid JSON") from None
    if not values:
        raise UsageError("expected one or more JSON values, got no text")
    return values
