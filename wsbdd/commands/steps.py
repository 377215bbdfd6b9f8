"""``wsbdd steps [WORDS]``: the step catalogue, for the terminal or as Markdown."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["NAME", "add_parser", "run"]

NAME = "steps"


def add_parser(subparsers: Any) -> None:
    """Add ``wsbdd steps`` to the ``wsbdd`` command."""
    parser = subparsers.add_parser(
        NAME,
        help="list every step phrase with its meaning and an example",
        description="The step catalogue, grouped by concern. Give words to show only the "
        "steps that mention them all, in their phrase, meaning or examples (including "
        "the examples' JSON): wsbdd steps subscri, wsbdd steps presence.",
    )
    parser.add_argument(
        "words", nargs="*", help="only steps whose phrase, meaning or examples contain these"
    )
    parser.add_argument("--markdown", action="store_true", help="print Markdown (docs/steps.md)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")


def run(args: argparse.Namespace) -> int:
    """Print (or write) the catalogue."""
    from wsbdd.authoring.catalogue import library_catalogue, render_markdown, render_text

    catalogue = library_catalogue()
    if args.words:
        catalogue = catalogue.filtered(args.words)
        if not catalogue.groups:
            print(f"no step mentions {' '.join(args.words)!r}")
            return 1
    text = render_markdown(catalogue) if args.markdown else render_text(catalogue)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0
