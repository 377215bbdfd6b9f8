"""``wsbdd run --processes N``: plan, run the workers, merge, one summary, one exit code.

1. N workers start at once (:mod:`~wsbdd.parallel.supervisor`), each setting
   up its own embedded server or the environment's target meanwhile;
2. behave's selection of the run's scenarios (:mod:`~wsbdd.parallel.selection`)
   and the environment, checked once (a mistake is one clear line);
3. the work (:mod:`~wsbdd.parallel.balance`) goes out longest first (by last
   run's durations) to whichever worker asks; the ``@serial`` scenarios go
   last, to one worker, once every other worker is done;
4. the workers run, their output printed one whole scenario at a time;
5. the merge (:mod:`~wsbdd.parallel.merge`): one Allure folder, one
   ``environment.properties``, the formatter outputs, the durations file;
6. behave's summary over every worker's results (:mod:`~wsbdd.parallel.summary`)
   and the exit code: 0 only when every worker ended normally and no
   scenario failed or errored; 128 + the signal's number when interrupted.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from wsbdd.config import choose_environment, load_settings
from wsbdd.core.redaction import Redactor
from wsbdd.parallel.arguments import (
    WorkerArguments,
    collect_junit,
    with_colour,
    worker_arguments,
)
from wsbdd.parallel.balance import (
    DEFAULT_DURATIONS_FILE,
    Element,
    batches,
    load_durations,
    save_durations,
)
from wsbdd.parallel.console import Console
from wsbdd.parallel.merge import merge_allure, merge_outputs, write_broken_result
from wsbdd.parallel.supervisor import Launch, Outcome, Supervisor
from wsbdd.parallel.units import Unit

if TYPE_CHECKING:
    from wsbdd.parallel.selection import Selection

__all__ = ["WORKER_ENV", "ParallelOptions", "run_parallel"]

WORKER_ENV = "WSBDD_WORKER"
"""Set in each worker: ``1`` ... ``N``; hooks may use it to keep workers apart."""

BehaveArgs = Callable[[Sequence[str], str | None], list[str]]


@dataclass
class ParallelOptions:
    """What ``wsbdd run --processes N`` was asked to do."""

    processes: int
    behave_args: list[str]
    build_args: BehaveArgs  # (user's behave args, allure folder) -> a worker's behave args
    env: str | None = None
    bugs: list[str] = field(default_factory=list)
    allure_dir: str | None = None
    element: Element = "scenario"
    worker_timeout: float = 600.0
    durations_file: Path = Path(DEFAULT_DURATIONS_FILE)


@dataclass
class _Worker:
    label: str
    folder: Path
    arguments: WorkerArguments


def _work(selection: Selection, options: ParallelOptions) -> tuple[list[list[Unit]], list[Unit]]:
    """The batches to hand out, in order, and the ``@serial`` scenarios."""
    units = selection.units
    if options.element == "feature":
        serial_features = {u.feature for u in units if u.serial and u.runs}
        serial = [u for u in units if u.feature in serial_features]
    else:
        serial = [u for u in units if u.serial and u.runs]
    chosen = {u.location for u in serial}
    rest = [u for u in units if u.location not in chosen]
    return batches(rest, load_durations(options.durations_file), options.element), serial


def _redactor(selection: Selection, options: ParallelOptions) -> Redactor:
    userdata = dict(selection.config.userdata)
    env_name = choose_environment(options.env, userdata)
    settings = load_settings(env_name, env_dir=userdata.get("env_dir", "environments"))
    return Redactor(settings.secrets())


def _launch(worker: _Worker, options: ParallelOptions) -> Launch:
    allure = str(worker.folder / "allure") if options.allure_dir else None
    args = options.build_args(worker.arguments.args, allure)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env[WORKER_ENV] = worker.label.removeprefix("worker ")
    if options.bugs:
        env["WSBDD_SERVER_BUGS"] = ",".join(options.bugs)
    argv = [sys.executable, "-m", "wsbdd.parallel.worker", *args]
    return Launch(worker.label, argv, env)


def _account(
    workers: list[_Worker], run: Supervisor, console: Console, options: ParallelOptions
) -> dict[str, dict[str, Any]]:
    """Every reported result, plus an error for each scenario a dead worker held."""
    outcome = run.outcome
    results: dict[str, dict[str, Any]] = {}
    for worker, output, code, hung, held in zip(
        workers, outcome.outputs, outcome.returncodes, outcome.hung, run.assigned, strict=True
    ):
        results.update(output.results)
        missing = [u for u in held if u.location not in output.results]
        if not hung and outcome.interrupted is None and code in (0, 1):
            # behave itself left them out (--stop, an aborted before_all): untested, as in
            # one behave run; the worker's exit status still carries its verdict.
            _mark(results, missing, "untested")
            continue
        if hung:
            limit = options.worker_timeout
            why = f"{worker.label} finished no scenario for {limit:g} s and was killed"
        elif outcome.interrupted is not None:
            why = f"{worker.label} was stopped ({outcome.interrupted.name})"
        else:
            why = f"{worker.label} crashed (exit status {code})"
        lost = [u for u in missing if u.runs]
        names = ", ".join(u.location for u in lost) or "none (all had finished)"
        tail = output.output_tail()
        console.notice(f"PARALLEL-ERROR: {why}; scenarios it held: {names}")
        if tail.strip() and lost:
            console.notice(f"--- last output of {worker.label} ---\n{tail.rstrip()}\n---")
        _mark(results, missing, "error")
        for unit in lost:
            if options.allure_dir:
                write_broken_result(Path(options.allure_dir), unit, why, console.redact(tail))
    never = run.unassigned
    if any(u.runs for u in never):
        what = ", ".join(u.location for u in never if u.runs)
        console.notice(f"PARALLEL-ERROR: the run ended before a worker could take: {what}")
    _mark(results, never, "error")
    return results


def _mark(results: dict[str, dict[str, Any]], units: list[Unit], status: str) -> None:
    """Record ``status`` for units that run, *skipped* for those that would not."""
    for unit in units:
        state = status if unit.runs else "skipped"
        results[unit.location] = {"status": state, "hook_failed": False, "steps": []}


def run_parallel(options: ParallelOptions, stream: TextIO | None = None) -> int:
    """Run the suite over ``options.processes`` workers; the run's exit code."""
    out = stream or sys.stdout
    root = Path(tempfile.mkdtemp(prefix="wsbdd-parallel-"))
    try:
        workers = []
        for number in range(1, options.processes + 1):
            folder = root / f"w{number}"
            folder.mkdir()
            arguments = worker_arguments(options.behave_args, folder)
            arguments.args = with_colour(arguments.args, out.isatty())
            workers.append(_Worker(f"worker {number}", folder, arguments))
        with Supervisor([_launch(w, options) for w in workers], options.worker_timeout) as run:
            # behave's parser is imported once the workers are starting: both overlap.
            from wsbdd.parallel.selection import select_units

            selection = select_units(options.behave_args)
            redactor = _redactor(selection, options)
            console = Console(out, redactor.text)
            work, serial = _work(selection, options)
            run.schedule(work, serial)
            outcome = run.run(console)
            results = _account(workers, run, console, options)
        coverage = _merge(workers, options, redactor)
        _remember(selection, results, options)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    from wsbdd.parallel.summary import apply_results, print_summary, run_failed

    apply_results(selection.features, results)
    for text in coverage:
        console.notice(text)
    if getattr(selection.config, "summary", True):
        console.notice("")
        print_summary(selection.config, selection.features, out)
    out.write(_timing_line(options.processes, len(serial), outcome))
    out.flush()
    if outcome.interrupted is not None:
        return 128 + int(outcome.interrupted)
    codes_ok = all(code in (0, 1) for code in outcome.returncodes) and not any(outcome.hung)
    failed = run_failed(results) or any(code != 0 for code in outcome.returncodes)
    return 1 if failed or not codes_ok else 0


def _timing_line(processes: int, serial: int, outcome: Outcome) -> str:
    """``Ran in 4 processes: 6.1 s, then 2 @serial alone: 5.2 s; 11.3 s wall time``."""
    text = f"Ran in {processes} process{'es' if processes != 1 else ''}"
    if serial and outcome.serial_after is not None:
        alone = outcome.elapsed - outcome.serial_after
        text += f": {outcome.serial_after:.1f} s, then {serial} @serial alone: {alone:.1f} s;"
    elif serial:
        text += f", {serial} @serial never released:"
    else:
        text += ":"
    return f"{text} {outcome.elapsed:.1f} s wall time\n"


def _merge(workers: list[_Worker], options: ParallelOptions, redactor: Redactor) -> list[str]:
    """The workers' files into the run's; the AsyncAPI coverage summed over them (texts)."""
    coverage: list[str] = []
    if options.allure_dir:
        results = Path(options.allure_dir)
        merge_allure([w.folder / "allure" for w in workers], results, options.processes)
        from wsbdd.reporting.contract_report import merge_coverage_parts

        coverage = merge_coverage_parts(results, redactor)
    targets: dict[str, list[Path]] = {}
    formats: dict[str, str] = {}
    for worker in workers:
        for target, part in worker.arguments.outputs.items():
            targets.setdefault(target, []).append(part)
        formats.update(worker.arguments.formats)
    merge_outputs(targets, formats)
    collect_junit([w.arguments.junit for w in workers if w.arguments.junit is not None])
    return coverage


def _remember(
    selection: Selection, results: dict[str, dict[str, Any]], options: ParallelOptions
) -> None:
    new = {
        unit.key: round(sum(float(s[1]) for s in results[unit.location].get("steps", [])), 3)
        for unit in selection.units
        if unit.runs
        and unit.location in results
        and results[unit.location].get("status") not in ("skipped", "untested", "error")
    }
    if new:
        save_durations(options.durations_file, load_durations(options.durations_file), new)
