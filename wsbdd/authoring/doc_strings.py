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
    opened: _Open | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if opened is None:
            if stripped.startswith(_DELIMITERS):
                opened = _Open(number, len(raw) - len(raw.lstrip()), stripped[:3])
            continue
        if stripped.startswith(opened.delimiter):
            mistakes += opened.close(number, stripped)
            opened = None
            continue
        opened.add(number, raw, stripped, mistakes)
    if opened is not None:
        mistakes += opened.close(None, "")
    return sorted(mistakes, key=lambda m: m.line)


_KEYWORDS = ("Given ", "When ", "Then ", "And ", "But ", "Scenario", "Background:", "Examples:")


@dataclass
class _Open:
    """A doc string being read: where it opened, and a wrong closing line if one was seen."""

    line: int
    column: int
    delimiter: str
    other_close: tuple[int, str] | None = None  # (line, the other delimiter)
    steps_after_other: bool = False

    def add(self, number: int, raw: str, stripped: str, mistakes: list[DocStringMistake]) -> None:
        other = next((d for d in _DELIMITERS if d != self.delimiter and stripped == d), None)
        if other is not None and self.other_close is None:
            self.other_close = (number, other)
        elif self.other_close is not None and stripped.startswith(_KEYWORDS):
            self.steps_after_other = True
        if self.other_close is None and raw[: self.column].strip():  # else: a consequence
            mistakes.append(
                DocStringMistake(
                    number,
                    f"this line of the doc string opened at line {self.line} starts left of "
                    f"its opening {self.delimiter} (column {self.column + 1}): indent every "
                    "line of a doc string at least as far as its quotes",
                )
            )

    def close(self, number: int | None, stripped: str) -> list[DocStringMistake]:
        """The mistakes known once the doc string ends (``number`` None: at the end of file)."""
        found: list[DocStringMistake] = []
        if self.other_close is not None and (number is None or self.steps_after_other):
            # Closed with the other kind of quotes: behave reads on, and the steps
            # after it silently become text.
            line, other = self.other_close
            found.append(
                DocStringMistake(
                    line,
                    f"the doc string opened with {self.delimiter} at line {self.line} is "
                    f"closed with {other}: close it with {self.delimiter}, as it was opened",
                )
            )
        elif number is None:
            found.append(
                DocStringMistake(
                    self.line,
                    f"this doc string is never closed: add a line with {self.delimiter} "
                    "after its text",
                )
            )
        if number is not None and stripped != self.delimiter:
            found.append(
                DocStringMistake(
                    number,
                    f"the closing {self.delimiter} of the doc string opened at line "
                    f"{self.line} has extra characters ({stripped!r}): write "
                    f"{self.delimiter} alone on its line",
                )
            )
        return found
