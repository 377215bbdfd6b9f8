"""A clean Allure results folder for each ``wsbdd run``.

allure-behave adds files to its results folder and never removes any, so
results piled up across runs, and a report showed yesterday's runs as
"retries" of today's failures. ``wsbdd run`` empties the folder first. Only
Allure's own files go (results, containers, attachments, the environment,
categories and history files); anything else in the folder stays, so a
mistyped ``--allure-dir .`` cannot delete a suite. The history the Trend
panel needs lives with the report, not here (see ``report_history``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Final

from wsbdd.reporting.report_history import HISTORY_BEFORE, MARK

__all__ = ["is_allure_file", "start_results_folder"]

_SUFFIXES: Final = ("-result.json", "-container.json")
_NAMES: Final = frozenset(
    {
        "environment.properties",
        "environment.xml",
        "categories.json",
        "executor.json",
        MARK,
        HISTORY_BEFORE,
    }
)


def is_allure_file(path: Path) -> bool:
    """True for a file Allure or wsbdd wrote into a results folder."""
    name = path.name
    if path.is_dir():
        return name == "history"
    return name in _NAMES or name.endswith(_SUFFIXES) or "-attachment" in name


def start_results_folder(folder: Path) -> int:
    """Remove the previous run's Allure files from ``folder`` (created if missing); how many."""
    folder.mkdir(parents=True, exist_ok=True)
    removed = 0
    for path in folder.iterdir():
        if not is_allure_file(path):
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed += 1
    return removed
