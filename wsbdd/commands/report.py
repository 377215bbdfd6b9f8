"""``wsbdd report``: turn Allure results into the HTML report, and serve it locally.

wsbdd report                        reports/allure-results -> reports/allure-report
wsbdd report --serve --port 8080    ... then serve it on http://127.0.0.1:8080
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_REPORT_DIR", "NAME", "add_parser", "run"]

NAME = "report"
DEFAULT_REPORT_DIR = "reports/allure-report"


def add_parser(subparsers: Any) -> None:
    """Add ``wsbdd report`` to the ``wsbdd`` command."""
    from wsbdd.cli import DEFAULT_ALLURE_DIR

    parser = subparsers.add_parser(
        NAME,
        help="build the HTML report from the Allure results (and serve it)",
        description="Build the HTML report with the Allure command line (npm "
        "allure-commandline, which needs Java; see .ci/install-report-tools).",
    )
    parser.add_argument(
        "--results",
        default=DEFAULT_ALLURE_DIR,
        help=f"the Allure results folder (default: {DEFAULT_ALLURE_DIR})",
    )
    parser.add_argument(
        "-o",
        "--output",
        default=DEFAULT_REPORT_DIR,
        help=f"where the HTML report goes (default: {DEFAULT_REPORT_DIR})",
    )
    parser.add_argument(
        "--single-file",
        action="store_true",
        help="one self-contained index.html (opens from disk, no server needed)",
    )
    parser.add_argument(
        "--serve", action="store_true", help="serve the report after building it (Ctrl-C stops)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=0, help="port to serve on (default: any free)")


def run(args: argparse.Namespace) -> int:
    """Generate (and optionally serve) the report; 2 with a clear message when tools are missing."""
    from wsbdd.exceptions import WsbddError
    from wsbdd.reporting.allure_cli import find_allure, generate_report, open_report

    results, output = Path(args.results), Path(args.output)
    try:
        allure = find_allure()
        code = generate_report(allure, results, output, single_file=args.single_file)
        if code != 0:
            print(f"wsbdd report: allure generate failed (exit code {code})", file=sys.stderr)
            return code
        print(f"wsbdd report: HTML report in {output}/index.html")
        if args.serve:
            return open_report(allure, output, args.host, args.port)
    except WsbddError as exc:
        print(f"wsbdd report: {exc}", file=sys.stderr)
        return 2
    return 0
