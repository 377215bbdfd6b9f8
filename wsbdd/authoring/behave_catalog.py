"""``behave --steps-catalog`` with readable phrases instead of regular expressions.

behave's catalogue prints each step's pattern; many wsbdd steps match with
regular expressions (optional clauses, quoted or bare names), which read as
``^client (?P<name>[\\w.@-]+) is connected(?: as (?P<identity>...))?$``. This
formatter, registered under behave's own name ``steps.catalog`` in
``behave.ini``::

    [behave.formatters]
    steps.catalog = wsbdd.authoring.behave_catalog:StepsCatalogFormatter

shows a library step by its examples from the wsbdd catalogue (``Given client
A is connected as alice``), and any other regular-expression step in a
readable form (``client <name> is connected[ as <identity>]``).
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from behave.formatter.steps import StepsCatalogFormatter as _BehaveCatalog
from behave.matchers import RegexMatcher

__all__ = ["StepsCatalogFormatter", "readable_pattern"]

_ESCAPES = {"s": " ", "d": "0", "w": "x", "n": " ", "t": " "}


def _closing(pattern: str, start: int) -> int:
    """Index of the ``)`` that closes the ``(`` at ``start``."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(pattern) - 1


def readable_pattern(pattern: str) -> str:
    """A regular expression as a phrase: ``(?P<x>...)`` is ``<x>``, ``(?:...)?`` is ``[...]``."""
    text = pattern.removeprefix("^").removesuffix("$")
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
        elif char == "(":
            end = _closing(text, i)
            inner = text[i + 1 : end]
            optional = end + 1 < len(text) and text[end + 1] == "?"
            if inner.startswith("?P<"):
                name, body = inner[3:].split(">", 1)
                literal = not any(c in body for c in "\\[(.*+?|^$")
                part = body if literal else f"<{name}>"  # (?P<no_token>no token): as written
            else:
                part = readable_pattern(inner.removeprefix("?:"))
                if not optional and "|" in part:
                    part = f"({part})"
            out.append(f"[{part}]" if optional else part)
            i = end + (2 if optional else 1)
        elif char == "[":
            end = text.index("]", i + 1) if "]" in text[i + 1 :] else len(text) - 1
            out.append("x")
            i = end + 1
            if i < len(text) and text[i] in "+*?":
                i += 1
        elif i + 1 < len(text) and text[i + 1] == "?":
            out.append(f"[{char}]")  # subprotocols? -> subprotocol[s]
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _library_examples() -> dict[Callable[..., Any], list[str]]:
    from wsbdd.authoring.catalogue import library_catalogue

    return {
        entry.function: [example.phrase for example in entry.examples]
        for entry in library_catalogue().entries()
        if entry.examples
    }


class StepsCatalogFormatter(_BehaveCatalog):  # type: ignore[misc]
    """behave's ``steps.catalog`` with readable phrases and the catalogue's examples."""

    max_examples = 3

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._examples: dict[Callable[..., Any], list[str]] | None = None

    def describe_step_definition(self, step_definition: Any, step_type: str | None = None) -> str:
        """``Given <phrase>`` (for every keyword of a step usable anywhere)."""
        step_type = step_type or step_definition.step_type
        pattern = str(step_definition.pattern)
        is_regex = isinstance(step_definition, RegexMatcher)
        phrase = readable_pattern(pattern) if is_regex else pattern
        if step_type == "step":
            return "\n".join(f"{kind.title():>5} {phrase}" for kind in ("given", "when", "then"))
        return f"{step_type.title()} {phrase}"

    def write_step_definition(self, step_definition: Any) -> None:
        """The phrase, its docstring, then up to three examples from the catalogue."""
        if self._examples is None:
            self._examples = _library_examples()
        lines = [self.describe_step_definition(step_definition)]
        doc = inspect.getdoc(step_definition.func)
        if doc:
            lines.append(textwrap.indent(doc.strip(), self.doc_prefix))
        examples = self._examples.get(step_definition.func, [])[: self.max_examples]
        lines.extend(f"{self.doc_prefix}e.g. {example}" for example in examples)
        self.stream.write("\n".join(lines) + "\n\n")
