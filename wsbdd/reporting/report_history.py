"""The report's history, so that its Trend panel shows every run once.

Allure keeps history between reports in its own way:

* Allure 3 appends one entry per generated report to a history file (its
  config's ``historyPath``); wsbdd keeps it beside the report folder:
  ``reports/allure-history.jsonl`` for ``reports/allure-report``;
* Allure 2 writes ``history/`` into the report, and reads it back from the
  results folder's ``history/`` next time.

A run counts once, however many times its report is built (``wsbdd report``,
then ``wsbdd report --serve``): the first report of a results folder keeps a
copy of the history *before* that run in the results folder, and every later
report of the same results starts again from that copy. A results folder is
"the same run" while its ``*-result.json`` files are the same.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Final

__all__ = ["HISTORY_BEFORE", "HISTORY_FILE", "MARK", "history_file", "prepare_history"]

MARK: Final = ".wsbdd-history-run"
"""In the results folder: the fingerprint of the run whose prior history is kept there."""

HISTORY_BEFORE: Final = ".wsbdd-history-before.jsonl"
"""In the results folder: Allure 3's history file as it was before this run."""

_ALLURE2_HISTORY: Final = "history"


HISTORY_FILE: Final = "allure-history.jsonl"


def history_file(output: Path) -> Path:
    """Allure 3's history file for the report folder ``output``: beside it, whatever its name.

    Every report built in one folder (``reports/allure-report``, a single-file
    ``reports/one-file``) shares it, and each run still counts once.
    """
    return output.parent / HISTORY_FILE


def _fingerprint(results: Path) -> str:
    names = sorted(p.name for p in results.glob("*-result.json"))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def _first_report_of_this_run(results: Path) -> bool:
    """True (and the run marked) when no report was built from these results yet."""
    mark = results / MARK
    current = _fingerprint(results)
    if mark.is_file() and mark.read_text(encoding="utf-8").strip() == current:
        return False
    mark.write_text(current + "\n", encoding="utf-8")
    return True


def _replace_tree(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    if source.is_dir():
        shutil.copytree(source, target)


def prepare_history(results: Path, output: Path, major: int) -> Path | None:
    """Put the history before this run where the Allure ``major`` version reads it.

    Returns the history file to configure for Allure 3 (``None`` for Allure 2,
    which reads ``results/history``). Call before generating into ``output``.
    """
    first = _first_report_of_this_run(results)
    if major < 3:
        if first:
            _replace_tree(output / _ALLURE2_HISTORY, results / _ALLURE2_HISTORY)
        return None
    live, before = history_file(output), results / HISTORY_BEFORE
    if first:
        if live.is_file():
            shutil.copyfile(live, before)
        else:
            before.unlink(missing_ok=True)
    live.parent.mkdir(parents=True, exist_ok=True)
    if before.is_file():
        shutil.copyfile(before, live)
    else:
        live.unlink(missing_ok=True)
    return live
