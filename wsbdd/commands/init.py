"""``wsbdd init [DIR]``: start a new suite (features, steps, environments, a profile)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["NAME", "add_parser", "run"]

NAME = "init"


def add_parser(subparsers: Any) -> None:
    """Add ``wsbdd init`` to the ``wsbdd`` command."""
    parser = subparsers.add_parser(
        NAME,
        help="create a new suite: features/, steps/, environments/, a profile template",
        description="Create the folders and files of a new wsbdd suite in DIR. Existing files "
        "are kept. Then `wsbdd run` in DIR passes against the bundled reference server.",
    )
    parser.add_argument("dir", nargs="?", default=".", help="where to create it (default: here)")
    parser.add_argument(
        "--from-asyncapi",
        metavar="FILE",
        help="also write a profile and one skeleton feature per channel of this AsyncAPI "
        "2.6/3.0 document (docs/asyncapi.md)",
    )


def run(args: argparse.Namespace) -> int:
    """Write the suite and say what to do next."""
    from wsbdd.authoring.scaffold import scaffold

    target = Path(args.dir)
    for item in scaffold(target):
        status = "created" if item.created else "kept (already there)"
        print(f"  {status:<22} {item.path}")
    if args.from_asyncapi:
        from wsbdd.authoring.from_asyncapi import generate_from_asyncapi

        for generated in generate_from_asyncapi(Path(args.from_asyncapi), target):
            status = "created" if generated.created else "kept (already there)"
            print(f"  {status:<22} {generated.path}")
        print(
            "\nThe features from the contract are tagged @skeleton: write the step that makes "
            "the server\nsend each message, remove the tag, and set WSBDD_PROFILE to the new "
            "profile."
        )
    where = "" if target.resolve() == Path.cwd().resolve() else f"cd {args.dir} && "
    print(
        "\nNext:\n"
        f"  {where}wsbdd run      run features/example.feature against the bundled server\n"
        "  wsbdd lint               check the feature files without connecting anywhere\n"
        "  wsbdd steps              every step you can write, with an example"
    )
    return 0
