"""Read the fenced blocks of a Markdown file with their ``<!-- docs-test: ... -->`` directives.

A directive is an HTML comment (invisible on GitHub) on the lines just before
a fenced block; it tells tests/docs/test_shell_blocks.py what to do with it:

``<!-- docs-test: skip (why) -->``
    an illustrative ``sh`` block: not run, but every command in it must exist;
``<!-- docs-test: fails -->``
    the ``sh`` block must exit with a non-zero code (it shows a failure);
``<!-- docs-test: file PATH -->``
    the block (of any language) is written to PATH, as the reader is told to;
``<!-- docs-test: output -->``
    every line of the block appears in the output of the ``sh`` block before it
    (numbers, ids and times may differ);
``<!-- docs-test: output of COMMAND -->``
    the same for the output of COMMAND (whatever its exit code), which stands
    in for what the text asks the reader to try (make a typo, run lint);
``<!-- docs-test: run-before COMMAND -->``
    COMMAND stands in for what the reader does by hand (fill in a file) and
    runs just before the block.

Every other ``sh`` block runs as written, in order, in one folder, with the
working directory and exported variables carried from block to block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Block", "read_blocks"]

_DIRECTIVE = re.compile(r"^<!--\s*docs-test:\s*(.*?)\s*-->\s*$")
_NAMES = ("skip", "fails", "file", "output", "run-before")
_FENCE = re.compile(r"^```(\S*)\s*$")


@dataclass
class Block:
    """One fenced block: where it is, its language, its text and its directives."""

    doc: str
    line: int
    language: str
    text: str
    directives: list[str] = field(default_factory=list)

    def directive(self, name: str) -> str | None:
        """The argument of directive ``name`` ("" without one), None if absent."""
        for item in self.directives:
            word, _, rest = item.partition(" ")
            if word == name:
                return rest.strip()
        return None

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"


def read_blocks(path: Path, name: str) -> list[Block]:
    """Every fenced block of ``path`` (shown as ``name``), in order."""
    blocks: list[Block] = []
    pending: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = _DIRECTIVE.match(line)
        fence = _FENCE.match(line)
        if directive:
            if directive.group(1).partition(" ")[0] not in _NAMES:
                raise AssertionError(f"{name}:{i + 1}: unknown docs-test directive: {line}")
            pending.append(directive.group(1))
        elif fence:
            start = i + 1
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                i += 1
            text = "\n".join(lines[start:i]) + "\n"
            blocks.append(Block(name, start, fence.group(1), text, pending))
            pending = []
        elif line.strip() and pending:
            raise AssertionError(f"{name}:{i + 1}: a docs-test directive must precede a block")
        i += 1
    return blocks
