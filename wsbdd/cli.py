"""The ``wsbdd`` command.

``wsbdd run [--env NAME] [--bug NAME ...] [--allure-dir DIR | --no-allure] [-j N] [behave args]``
    runs the feature suite with behave: picks the environment, writes Allure
    results (``reports/allure-results``) beside readable console output;
    ``--processes N`` (``-j N``) runs it over N worker processes (docs/parallel.md).
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

__all__ = ["behave_arguments", "build_parser", "feature_paths", "main", "names_paths", "run_behave"]

DEFAULT_ALLURE_DIR = "reports/allure-results"
DEFAULT_FEATURES = "features"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``wsbdd`` argument parser; ``only="run"`` builds just the ``run`` command.

    ``wsbdd run`` is the hot path: the other commands' parsers import the
    reference server and every extra command module (about a second of
    start-up on a loaded two-core machine), which a run never needs.
    """
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
    _add_parallel_arguments(run)
    if only == "run":
        return parser

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


def _add_parallel_arguments(run: argparse.ArgumentParser) -> None:
    from wsbdd.parallel.balance import DEFAULT_DURATIONS_FILE

    group = run.add_argument_group("parallel runs (docs/parallel.md)")
    group.add_argument(
        "-j",
        "--processes",
        type=_positive_int,
        metavar="N",
        help="run the scenarios over N worker processes, then the @serial ones alone",
    )
    group.add_argument(
        "--parallel-element",
        choices=("scenario", "feature"),
        default="scenario",
        help="what a worker gets: single scenarios (default) or whole features",
    )
    group.add_argument(
        "--worker-timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="kill a worker that finishes no scenario for this long (default: 600)",
    )
    group.add_argument(
        "--durations-file",
        default=DEFAULT_DURATIONS_FILE,
        metavar="PATH",
        help=f"scenario durations used to balance the workers (default: {DEFAULT_DURATIONS_FILE})",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1 process, not {value}")
    return value


EXTRA_COMMANDS: tuple[str, ...] = ("init", "lint", "steps", "report")
"""Modules under ``wsbdd.commands`` adding a subcommand: each has
``add_parser(subparsers)`` and ``run(args) -> int``; the subcommand's name is
the module's ``NAME``."""


def _extra_command_modules() -> list[Any]:
    return [importlib.import_module(f"wsbdd.commands.{name}") for name in EXTRA_COMMANDS]


def _takes_value() -> frozenset[str]:
    """behave's options that take a value (``-o FILE``: FILE is no feature path)."""
    from behave.configuration import OPTIONS

    flags: set[str] = set()
    for names, spec in OPTIONS:
        action = spec.get("action", "store")
        if action in ("store", "append") and spec.get("nargs") != "?":
            flags.update(names)
    return frozenset(flags)


def feature_paths(behave_args: Sequence[str]) -> list[str]:
    """The feature paths the behave options name (existing files or folders; no option values)."""
    valued = _takes_value()
    skip = False
    found: list[str] = []
    for arg in behave_args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in valued
        elif os.path.exists(arg.lstrip("@").split(":")[0]):
            found.append(arg.lstrip("@").split(":")[0])
    return found


def names_paths(behave_args: Sequence[str]) -> bool:
    """Whether the behave options name a feature path (an existing file or folder)."""
    return bool(feature_paths(behave_args))


def behave_arguments(
    behave_args: Sequence[str],
    *,
    env: str | None = None,
    allure_dir: str | None = DEFAULT_ALLURE_DIR,
) -> list[str]:
    """behave's options for a wsbdd run: the environment, the Allure formatter, the paths."""
    args = list(behave_args)
    if env:
        args += ["-D", f"env={env}"]
    if not names_paths(behave_args):
        args.append(DEFAULT_FEATURES)
    if allure_dir:
        # First, so that behave pairs it with the first -o whatever formats the user adds.
        args = ["-f", "wsbdd.reporting.allure_formatter:AllureFormatter", "-o", allure_dir, *args]
        if not any(a in ("-f", "--format") or a.startswith("--format=") for a in behave_args):
            args += ["-f", "pretty"]
    return args


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
    args = behave_arguments(behave_args, env=env, allure_dir=allure_dir)
    from wsbdd.preflight import check_feature_texts, stop_message

    paths = feature_paths(behave_args) or [DEFAULT_FEATURES]
    if mistakes := check_feature_texts(paths):  # before behave's cryptic BAD-INDENT
        print(stop_message(mistakes), flush=True)
        return 1
    if bugs:
        # Added to the environment file's own server options (see wsbdd.config).
        os.environ["WSBDD_SERVER_BUGS"] = ",".join(bugs)
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


def _finish_results_folder(folder: str) -> None:
    """Delete what is left of the previous run's files once this run has written its own."""
    from pathlib import Path

    from wsbdd.reporting.results_folder import finish_results_folder

    finish_results_folder(Path(folder))


def _run(args: argparse.Namespace, rest: list[str]) -> int:
    allure_dir = None if args.no_allure else args.allure_dir
    if args.processes is None:
        return run_behave(rest, env=args.env, bugs=args.bug, allure_dir=allure_dir)
    from pathlib import Path

    from wsbdd.core.exceptions import WsbddError
    from wsbdd.parallel.orchestrate import ParallelOptions, run_parallel

    env = args.env

    def build(worker_args: Sequence[str], worker_allure: str | None) -> list[str]:
        # worker_args already name the environment and the paths (user_args below)
        return behave_arguments(worker_args, allure_dir=worker_allure)

    user_args = list(rest)
    if env:
        user_args += ["-D", f"env={env}"]
    if not names_paths(rest):
        user_args.append(DEFAULT_FEATURES)
    options = ParallelOptions(
        processes=args.processes,
        behave_args=user_args,
        build_args=build,
        env=env,
        bugs=list(args.bug),
        allure_dir=allure_dir,
        element=args.parallel_element,
        worker_timeout=args.worker_timeout,
        durations_file=Path(args.durations_file),
    )
    try:
        return run_parallel(options)
    except WsbddError as exc:
        print(f"wsbdd run: {exc}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser("run" if given[:1] == ["run"] else None)
    args, rest = parser.parse_known_args(argv)
    if args.command == "run":
        if args.no_allure:
            return _run(args, rest)
        _start_results_folder(args.allure_dir)
        try:
            return _run(args, rest)
        finally:
            _finish_results_folder(args.allure_dir)
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
