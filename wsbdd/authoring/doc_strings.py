"""Doc-string mistakes in a feature file's text, found before behave parses it.

behave stops the whole run on a doc-string line indented less than its
opening quotes ("BAD-INDENT in multiline text: Line ... would strip
leading ..."), and silently accepts closing quotes with extra characters
(four double quotes) or a doc string opened with three double quotes and
"closed" with three backticks (the rest of the file becomes its text).
:func:`doc_string_mistakes` says each in plain words, with the line to fix.
Pure: it reads only the text given.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DocStringMistake", "doc_string_mistakes"]

_DELIMITERS = ('"""', "```")


@dataclass(frozen=True)
class DocStringMistake:
    """One doc-string mistake: the line (1-based) and what to do."""

    line: int
    message: str


def doc_string_mistakes(text: str) -> list[DocStringMistake]:
    """Every doc-string mistake of a feature file's text, in line order."""
    mistakes: list[DocStringMistake] = []
    opened: tuple[int, int, str] | None = None  # (line, column, delimiter)
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if opened is None:
            if stripped.startswith(_DELIMITERS):
                delimiter = stripped[:3]
                opened = (number, len(raw) - len(raw.lstrip()), delimiter)
            continue
        start, column, delimiter = opened
        if stripped.startswith(delimiter):
            if stripped != delimiter:
                mistakes.append(
                    DocStringMistake(
                        number,
                        f"the closing {delimiter} of the doc string opened at line {start} "
                        f"has extra characters ({stripped!r}): write {delimiter} alone "
                        "on its line",
                    )
                )
            opened = None
            continue
        other = next((d for d in _DELIMITERS if d != delimiter and stripped == d), None)
        if other is not None:
            mistakes.append(
                DocStringMistake(
                    number,
                    f"the doc string opened with {delimiter} at line {start} is closed with "
                    f"{other}: close it with {delimiter}, as it was opened",
                )
            )
            opened = None
            continue
        prefix = raw[:column]
        if prefix.strip():
            mistakes.append(
                DocStringMistake(
                    number,
                    f"this line of the doc string opened at line {start} starts left of its "
                    f"opening {delimiter} (column {column + 1}): indent every line of a doc "
                    "string at least as far as its quotes",
                )
            )
    if opened is not None:
        start, _, delimiter = opened
        mistakes.append(
            DocStringMistake(
                start,
                f"this doc string is never closed: add a line with {delimiter} after its text",
            )
        )
    return mistakes
