"""The ``wsbdd`` command.

``wsbdd run [--env NAME] [--bug NAME ...] [--allure-dir DIR | --no-allure] [behave args]``
    runs the feature suite with behave: picks the environment, writes Allure
    results (``reports/allure-results``) beside readable console output.
``wsbdd serve [options]``
    runs the bundled reference server (see docs/reference-server.md).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["build_parser", "main", "run_behave"]

DEFAULT_ALLURE_DIR = "reports/allure-results"
DEFAULT_FEATURES = "features"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wsbdd", description="BDD testing of real-time APIs (WebSockets first)."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the feature suite (behave) against an environment",
        description="Run behave with the wsbdd environment and Allure results. "
        "Unknown options (--tags, -n, --stop, paths...) go to behave.",
    )
    run.add_argument("--env", help="environment name: environments/NAME.env (default: local)")
    run.add_argument(
        "--bug",
        action="append",
        default=[],
        metavar="NAME",
        help="start the embedded reference server with this bug switched on (repeatable)",
    )
    run.add_argument(
        "--allure-dir",
        default=DEFAULT_ALLURE_DIR,
        help=f"where Allure results go (default: {DEFAULT_ALLURE_DIR})",
    )
    run.add_argument("--no-allure", action="store_true", help="do not write Allure results")

    serve = commands.add_parser(
        "serve",
        help="run the bundled reference real-time server",
        description="Run the reference server; its first line gives the ws:// and http:// URLs.",
    )
    from wsbdd.server.cli import add_serve_arguments

    add_serve_arguments(serve)
    for module in _extra_command_modules():
        module.add_parser(commands)
    return parser


EXTRA_COMMANDS: tuple[str, ...] = ("init", "lint", "steps", "report")
"""Modules under ``wsbdd.commands`` adding a subcommand: each has
``add_parser(subparsers)`` and ``run(args) -> int``; the subcommand's name is
the module's ``NAME``."""


def _extra_command_modules() -> list[Any]:
    return [importlib.import_module(f"wsbdd.commands.{name}") for name in EXTRA_COMMANDS]


def run_behave(
    behave_args: Sequence[str],
    *,
    env: str | None = None,
    bugs: Sequence[str] = (),
    allure_dir: str | None = DEFAULT_ALLURE_DIR,
) -> int:
    """Run behave in this process with the wsbdd options; returns its exit code.

    The console is redacted (:mod:`wsbdd.reporting.console`); SIGTERM and
    SIGINT stop the run at once and cleanly (:mod:`wsbdd.stopping`).
    """
    from behave.__main__ import main as behave_main

    from wsbdd.runner import quiet_banner

    quiet_banner()
    args = list(behave_args)
    if env:
        args += ["-D", f"env={env}"]
    if not any(not a.startswith("-") and os.path.exists(a) for a in behave_args):
        args.append(DEFAULT_FEATURES)
    from wsbdd.preflight import check_feature_texts, stop_message

    paths = [a for a in args if not a.startswith("-") and os.path.exists(a)]
    if mistakes := check_feature_texts(paths):  # before behave's cryptic BAD-INDENT
        print(stop_message(mistakes), flush=True)
        return 1
    if bugs:
        # Added to the environment file's own server options (see wsbdd.config).
        os.environ["WSBDD_SERVER_BUGS"] = ",".join(bugs)
    if allure_dir:
        # First, so that behave pairs it with the first -o whatever formats the user adds.
        args = ["-f", "wsbdd.reporting.allure_formatter:AllureFormatter", "-o", allure_dir, *args]
        if not any(a in ("-f", "--format") or a.startswith("--format=") for a in behave_args):
            args += ["-f", "pretty"]
    from wsbdd.reporting.console import redacted_console
    from wsbdd.stopping import stop_on_signals

    code = 1
    with redacted_console(), stop_on_signals() as interruption:
        code = int(behave_main(args))
    if interruption.signum is None:
        return code
    where = f"; results of what ran in {allure_dir}" if allure_dir else ""
    print(
        f"wsbdd run: interrupted by {interruption.name}: clients closed, server stopped{where}",
        file=sys.stderr,
    )
    return interruption.exit_status


def _start_results_folder(folder: str) -> None:
    """Each ``wsbdd run`` starts with an empty results folder (see ``results_folder``)."""
    from pathlib import Path

    from wsbdd.reporting.results_folder import start_results_folder

    start_results_folder(Path(folder))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command == "run":
        if not args.no_allure:
            _start_results_folder(args.allure_dir)
        return run_behave(
            rest,
            env=args.env,
            bugs=args.bug,
            allure_dir=None if args.no_allure else args.allure_dir,
        )
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "serve":
        from wsbdd.server.cli import run_serve

        return run_serve(args)
    for module in _extra_command_modules():
        if args.command == module.NAME:
            return int(module.run(args))
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
