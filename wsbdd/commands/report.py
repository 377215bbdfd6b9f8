"""``wsbdd report``: turn Allure results into the HTML report, and serve it locally.

wsbdd report                        reports/allure-results -> reports/allure-report
wsbdd report --single-file          ... one self-contained index.html
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
    from wsbdd.reporting.allure_tool import INSTALL_COMMAND

    parser = subparsers.add_parser(
        NAME,
        help="build the HTML report from the Allure results (and serve it)",
        description="Build the HTML report with Allure 3 (npm package allure, Node.js only; "
        "Allure 2 with Java is used when it is the only one installed). The tool is looked "
        f"for on PATH and in .tools/; install it with: {INSTALL_COMMAND}",
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
        help=f"where the HTML report goes, replaced each time (default: {DEFAULT_REPORT_DIR})",
    )
    parser.add_argument(
        "--single-file",
        action="store_true",
        help="one self-contained index.html (opens from disk, no server needed)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="your own Allure 3 config (allurerc) instead of wsbdd's",
    )
    parser.add_argument(
        "--serve", action="store_true", help="serve the report after building it (Ctrl-C stops)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=0, help="port to serve on (default: any free)")


def _serving(url: str) -> None:
    print(f"wsbdd report: serving the report on {url} (Ctrl-C stops)", flush=True)


def run(args: argparse.Namespace) -> int:
    """Build (and optionally serve) the report; 2 with a clear message when tools are missing."""
    from wsbdd.core.exceptions import WsbddError
    from wsbdd.reporting.allure_cli import generate_report, serve_report
    from wsbdd.reporting.allure_tool import find_allure

    results, output = Path(args.results), Path(args.output)
    config = Path(args.config) if args.config else None
    try:
        if config is not None and not config.is_file():
            raise WsbddError(f"--config {config}: no such file")
        tool = find_allure()
        print(f"wsbdd report: {tool.label}", flush=True)
        code = generate_report(tool, results, output, single_file=args.single_file, config=config)
        if code != 0:
            print(f"wsbdd report: allure generate failed (exit code {code})", file=sys.stderr)
            return code
        print(f"wsbdd report: HTML report in {output}/index.html", flush=True)
        if args.serve:
            return serve_report(output, args.host, args.port, on_ready=_serving)
    except WsbddError as exc:
        print(f"wsbdd report: {exc}", file=sys.stderr)
        return 2
    return 0
