"""Formatting JSON paths like ``$.items[0].qty`` or ``$["a b"]`` (private).

One job: turn a list of object keys and array indexes into the path text that
every failure message of wsbdd uses, so the same value is always named the
same way (matcher mismatches, schema violations, selector errors).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

__all__ = ["PathPart", "child", "format_path"]

PathPart = str | int
"""One step of a path: an object key (``str``) or an array index (``int``)."""


def _key_step(key: str) -> str:
    if key.isidentifier():
        return f".{key}"
    return f"[{json.dumps(key, ensure_ascii=False)}]"


def child(path: str, part: PathPart) -> str:
    """The path of ``part`` inside the value at ``path``: ``child("$", "a") == "$.a"``."""
    if isinstance(part, int) and not isinstance(part, bool):
        return f"{path}[{part}]"
    return path + _key_step(str(part))


def format_path(parts: Iterable[PathPart]) -> str:
    """``["items", 0, "qty"]`` → ``$.items[0].qty``; odd keys as ``$["a b"]``."""
    path = "$"
    for part in parts:
        path = child(path, part)
    return path
