"""Strict JSON in and out of the reference server (pure: no sockets, no asyncio).

Incoming text is refused, with the protocol error code to answer, when it is
not JSON (``NaN``, ``Infinity`` and ``-Infinity`` are not JSON, RFC 8259) or
when it is JSON the server will not hold:

* nested deeper than ``max_depth`` arrays/objects (``DEFAULT_MAX_DEPTH``);
  the depth is measured on the text before parsing, so even 30,000 levels
  cost one linear scan and never reach the parser's recursion;
* a number literal longer than ``MAX_NUMBER_LENGTH`` characters;
* a number that is not a finite double (``1e999``);
* a string holding a lone surrogate (``"\\ud800"``): it has no UTF-8 form,
  so it could not be sent on.

Outgoing frames are written with ``allow_nan=False``: the server never sends
``NaN`` or ``Infinity``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "MAX_NUMBER_LENGTH",
    "FrameError",
    "deeper_than",
    "dumps",
    "loads",
]

DEFAULT_MAX_DEPTH = 64
"""Arrays/objects nested deeper than this are refused (``bad_request``)."""

MAX_NUMBER_LENGTH = 1000
"""Number literals longer than this many characters are refused (``bad_request``)."""

# a string (closing quote optional, so an unterminated one ends the scan in
# linear time) or one bracket; everything else is skipped by finditer
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_OPEN = frozenset("[{")
_CLOSE = frozenset("]}")


class FrameError(ValueError):
    """Text the server refuses; ``code`` is the protocol error code to answer with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def deeper_than(text: str, limit: int) -> bool:
    """True when arrays/objects in ``text`` nest deeper than ``limit`` (strings ignored)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for found in _TOKENS.finditer(text):
        char = text[found.start()]
        if char in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif char in _CLOSE:
            depth -= 1
    return False


def _not_json(literal: str) -> NoReturn:
    raise FrameError("bad_json", f"invalid JSON: {literal} is not a JSON value")


def _check_length(literal: str) -> None:
    if len(literal) > MAX_NUMBER_LENGTH:
        raise FrameError(
            "bad_request",
            f"a number of {len(literal)} characters is longer than {MAX_NUMBER_LENGTH}",
        )


def _int(literal: str) -> int:
    _check_length(literal)
    return int(literal)


def _float(literal: str) -> float:
    _check_length(literal)
    value = float(literal)
    if not math.isfinite(value):
        raise FrameError("bad_request", f"number {literal} is out of range (not a finite double)")
    return value


def loads(text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """The value of ``text``, or ``FrameError`` (``bad_json`` / ``bad_request``) saying why not."""
    if deeper_than(text, max_depth):
        raise FrameError("bad_request", f"JSON nested deeper than {max_depth} levels")
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_not_json)
    except FrameError:
        raise
    except RecursionError:  # pragma: no cover - max_depth set above the interpreter's limit
        raise FrameError("bad_request", "JSON nested too deep to parse") from None
    except ValueError as exc:
        raise FrameError("bad_json", f"invalid JSON: {exc}") from None
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        try:
            dumps(value).encode("utf-8")
        except UnicodeEncodeError:
            raise FrameError(
                "bad_request", "a string holds a lone surrogate: not Unicode"
            ) from None
    return value


def dumps(obj: Any) -> str:
    """Compact JSON text of a protocol frame; ``ValueError`` rather than NaN/Infinity."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
