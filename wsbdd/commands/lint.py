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
        "unknown ${variables}, clients used before they connect, identities with no token, "
        "missing schema files, invalid JSON (one value per line in list doc strings), "
        "doc-string indentation and quotes, and unknown API profiles (WSBDD_PROFILE too), "
        "as path:line: kind: message, then a one-line summary. Connects nowhere. "
        "Exit code 1 when there are problems.",
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
        "-q", "--quiet", action="store_true", help="no summary line (problems only)"
    )
    # The summary is always printed now; -v (which asked for it) is still accepted.
    parser.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Print every problem, then the summary; 1 if there were problems, else 0."""
    from wsbdd.authoring.lint import lint

    report = lint(args.paths, env=args.env, env_dir=args.env_dir)
    for problem in report.problems:
        print(problem.render())
    if not args.quiet:
        print(report.summary())
    return 1 if report.problems else 0
