"""Short, readable forms of JSON values for failure messages (private).

One job: say what a value is (``"2" (a string)``, ``an array of 3 items``) in
the words a tester reads in a failed scenario.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["compact", "describe_got", "items", "kind_of"]


def compact(value: Any, limit: int = 200) -> str:
    """Compact JSON text (``{"a": 1}``), cut to ``limit`` characters with ``…``."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > limit:
        return text[: max(limit - 1, 1)] + "…"
    return text


def kind_of(value: Any) -> str:
    """The JSON kind of a value with its article: ``a string``, ``an array``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a {type(value).__name__}"


def describe_got(actual: Any, expected_kind: str | None = None) -> str:
    """How an actual value reads after ``got``.

    Containers are named by kind (``an array``, ``an object``); scalars are
    shown as JSON, followed by their kind when it differs from
    ``expected_kind`` (``"2" (a string)``).
    """
    kind = kind_of(actual)
    if isinstance(actual, dict):
        return "an object"
    if isinstance(actual, list | tuple):
        return "an array"
    shown = compact(actual, limit=120)
    if expected_kind is None or kind == expected_kind or kind == "null":
        return shown
    return f"{shown} ({kind})"


def items(n: int) -> str:
    """``1 item``, ``3 items``."""
    return f"{n} item{'' if n == 1 else 's'}"
