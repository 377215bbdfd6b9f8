"""Shared pieces of the step modules: phrase fragments and argument parsing."""

from __future__ import annotations

import json
from typing import Any

from wsbdd.core.exceptions import UsageError
from wsbdd.core.timing import DURATION_PATTERN, parse_duration
from wsbdd.session.scenario import ScenarioSession

__all__ = [
    "CLIENT",
    "DURATION",
    "INLINE_JSON",
    "WITHIN",
    "doc_string",
    "literal",
    "optional_duration",
    "session",
    "table_rows",
]

CLIENT = r"(?P<name>[\w.@-]+)"
"""A client name: one word (A, B, alice, client-1)."""

DURATION = DURATION_PATTERN
WITHIN = rf"(?: within (?P<within>{DURATION}))?"
INLINE_JSON = r"(?P<json>[\[{].*[\]}])"


def session(context: Any) -> ScenarioSession:
    """The scenario's :class:`ScenarioSession`, set up by the wsbdd hooks."""
    found = getattr(context, "wsbdd", None)
    if not isinstance(found, ScenarioSession):
        raise UsageError(
            "wsbdd is not set up for this scenario: environment.py must contain "
            "'from wsbdd.hooks import *'"
        )
    return found


def optional_duration(text: str | None) -> float | None:
    return parse_duration(text) if text else None


def doc_string(context: Any, step_hint: str) -> str:
    text = getattr(context, "text", None)
    if not text:
        raise UsageError(f'the step "{step_hint}" needs a doc string (""" ... """) below it')
    return str(text)


def table_rows(context: Any, columns: tuple[str, ...], step_hint: str) -> list[dict[str, str]]:
    table = getattr(context, "table", None)
    if table is None:
        raise UsageError(f'the step "{step_hint}" needs a table below it with columns {columns}')
    headings = [h.strip().lower() for h in table.headings]
    missing = [c for c in columns if c not in headings]
    if missing:
        raise UsageError(
            f'the table of "{step_hint}" needs the columns {", ".join(columns)} '
            f"(it has {', '.join(headings)})"
        )
    return [
        {heading: str(row[index]).strip() for index, heading in enumerate(headings)}
        for row in table.rows
    ]


def literal(text: str) -> Any:
    """A JSON literal (2, "x", true, null, {...}); a bare word is a string."""
    try:
        return json.loads(text)
    except ValueError:
        if text.strip().startswith(("{", "[", '"')):
            raise UsageError(f"{text!r} is not valid JSON") from None
        return text.strip()
