"""``wsbdd lint [PATHS]``: check feature files without connecting anywhere."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["NAME", "add_parser", "run"]

NAME = "lint"


def add_parser(subparsers: Any) -> None:
    """Add ``wsbdd lint`` to the ``wsbdd`` command."""
    parser = subparsers.add_parser(
        NAME,
        help="check feature files for undefined steps, unknown variables, bad JSON... offline",
        description="Report undefined and ambiguous steps (with the closest known phrases), "
        "unknown ${variables}, missing schema files, invalid JSON and unknown API profiles, "
        "as path:line: kind: message. Connects nowhere. Exit code 1 when there are problems.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["features"],
        help="feature files or folders (default: features)",
    )
    parser.add_argument(
        "--env", help="environment whose keys count as variables (default: local, if present)"
    )
    parser.add_argument(
        "--env-dir", default="environments", help="folder of the .env files (default: environments)"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also say so when there is no problem"
    )


def run(args: argparse.Namespace) -> int:
    """Print every problem; 1 if there were any, else 0."""
    from wsbdd.authoring.lint import feature_files, lint_paths

    problems = lint_paths(args.paths, env=args.env, env_dir=args.env_dir)
    for problem in problems:
        print(problem.render())
    if problems:
        files = len({p.path for p in problems})
        print(f"{_count(len(problems), 'problem')} in {_count(files, 'file')}")
        return 1
    if args.verbose:
        count = len(feature_files(args.paths)[0])
        print(f"no problems in {_count(count, 'feature file')}")
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
