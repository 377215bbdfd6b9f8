"""Picking one value out of a JSON document with a simple path.

The supported paths are the small, unambiguous subset testers need::

    $                  the whole document
    $.id               an object key
    $["a b"]           a key with spaces or other characters ($['a b'] too)
    $.items[0].qty     an array index, counted from 0
    $.items[-1]        counted from the end: -1 is the last item

The leading ``$`` may be left out: ``id``, ``.id`` and ``items[0]`` all work.
Wildcards, filters and ``..`` are not supported; writing one raises
:class:`~wsbdd.core.exceptions.UsageError`. A path that does not lead to a value
raises :class:`PathNotFound`, which says where the walk stopped and why.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from wsbdd.core.exceptions import UsageError
from wsbdd.core.matching._describe import items, kind_of
from wsbdd.core.matching._paths import PathPart, child, format_path

__all__ = ["PathNotFound", "parse_path", "select"]

_INDEX_RE: Final = re.compile(r"\[\s*(-?\d+)\s*\]")
_NAME_RE: Final = re.compile(r"[^.\[\]\s]+")


class PathNotFound(LookupError):
    """No value at ``path``; ``reached`` is the deepest path that had a value.

    ``str(err)`` reads like
    ``no value at $.items[0].qty (stopped at $.items: array has 0 items)``.
    """

    def __init__(self, path: str, reached: str, reason: str = "") -> None:
        self.path = path
        self.reached = reached
        self.reason = reason
        detail = f"{reached}: {reason}" if reason else reached
        super().__init__(f"no value at {path} (stopped at {detail})")


def _bad(path: str, at: int, why: str) -> UsageError:
    return UsageError(
        f"invalid JSON path {path!r} at character {at + 1}: {why} "
        '(write $.key, $["key"], $.items[0] or $.items[-1])'
    )


def parse_path(path: str) -> list[PathPart]:
    """The keys (``str``) and indexes (``int``) of ``path``.

    ``parse_path('$.items[0]["a b"]') == ["items", 0, "a b"]``. Raises
    :class:`UsageError` for syntax outside the supported subset.
    """
    text = path.strip()
    pos = 0
    if text.startswith("$"):
        pos = 1
    elif text and text[0] not in ".[":
        text = "." + text  # "id" means "$.id"
    parts: list[PathPart] = []
    while pos < len(text):
        char = text[pos]
        if char == ".":
            name = _NAME_RE.match(text, pos + 1)
            if name is None:
                raise _bad(path, pos, "expected a key name after '.'")
            parts.append(name.group())
            pos = name.end()
        elif char == "[":
            index = _INDEX_RE.match(text, pos)
            if index is not None:
                parts.append(int(index.group(1)))
                pos = index.end()
                continue
            key, pos = _bracket_key(path, text, pos)
            parts.append(key)
        else:
            raise _bad(path, pos, f"unexpected {char!r}")
    return parts


def _bracket_key(path: str, text: str, pos: int) -> tuple[str, int]:
    """Parse ``["key"]`` or ``['key']`` starting at ``text[pos] == "["``."""
    quote = text[pos + 1 : pos + 2]
    if quote not in ('"', "'"):
        raise _bad(path, pos, "expected a number or a quoted key inside [ ]")
    end = pos + 2
    while end < len(text) and text[end] != quote:
        end += 2 if text[end] == "\\" else 1
    if end >= len(text) or text[end + 1 : end + 2] != "]":
        raise _bad(path, pos, "unterminated [ ]")
    raw = text[pos + 2 : end]
    if quote == "'":
        raw = raw.replace("\\'", "'").replace('"', '\\"')
    try:
        key = json.loads(f'"{raw}"')
    except ValueError:
        raise _bad(path, pos, "invalid escape in quoted key") from None
    return str(key), end + 2


def select(value: Any, path: str) -> Any:
    """The value at ``path`` inside ``value``.

    ``select({"items": [{"qty": 2}]}, "$.items[0].qty") == 2``. Raises
    :class:`PathNotFound` when there is no such value, :class:`UsageError`
    for an unsupported path.
    """
    parts = parse_path(path)
    full = format_path(parts)
    current = value
    reached = "$"
    for part in parts:
        if isinstance(part, int):
            if not isinstance(current, list | tuple):
                raise PathNotFound(full, reached, f"{_kind(current)}, not an array")
            if not -len(current) <= part < len(current):
                raise PathNotFound(full, reached, f"array has {items(len(current))}")
            current = current[part]
        else:
            if not isinstance(current, dict):
                raise PathNotFound(full, reached, f"{_kind(current)}, not an object")
            if part not in current:
                raise PathNotFound(full, reached, _missing_key(part, current))
            current = current[part]
        reached = child(reached, part)
    return current


def _kind(value: Any) -> str:
    return f"is {kind_of(value)}"


def _missing_key(key: str, obj: dict[Any, Any]) -> str:
    names = [str(name) for name in obj]
    if not names:
        return f"no key {json.dumps(key, ensure_ascii=False)} (the object is empty)"
    shown = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    return f"no key {json.dumps(key, ensure_ascii=False)}; keys: {shown}"
