"""A clean Allure results folder for each ``wsbdd run``.

allure-behave adds files to its results folder and never removes any, so
results piled up across runs, and a report showed yesterday's runs as
"retries" of today's failures. ``wsbdd run`` empties the folder first. Only
Allure's own files go (results, containers, attachments, the environment,
categories and history files); anything else in the folder stays, so a
mistyped ``--allure-dir .`` cannot delete a suite. The history the Trend
panel needs lives with the report, not here (see ``report_history``).

The previous run's files are not deleted but moved into :data:`SPARES`, where
this run's :class:`~wsbdd.reporting.result_writer.ResultWriter` takes each of
them over for a new result (``flush`` deletes what it did not need). On an
ext4 file system without a journal, as on the two-core machine of the
measures, creating a file right after many were deleted costs about 1 ms of
kernel time, because the inode allocator steps over every recently deleted
inode; taking a file over costs no new inode (docs/performance.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Final

from wsbdd.reporting.report_history import HISTORY_BEFORE, MARK

__all__ = ["SPARES", "finish_results_folder", "is_allure_file", "start_results_folder"]

SPARES: Final = ".wsbdd-spares"
"""The sub-folder holding the previous run's files until this run reuses or deletes them."""

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
    """Clear the previous run's Allure files out of ``folder`` (created if missing); how many.

    Files go into :data:`SPARES` for this run's writer to take over; folders
    (``history/``) are deleted.
    """
    folder.mkdir(parents=True, exist_ok=True)
    spares = folder / SPARES
    try:
        spares.mkdir(exist_ok=True)
        names = {p.name for p in spares.iterdir()}  # left by a run that was killed: spares too
    except OSError:  # something else by that name: the files are deleted instead
        names = None
    removed = 0
    number = 0
    for path in folder.iterdir():
        if path.name == SPARES or not is_allure_file(path):
            continue
        if path.is_dir():
            shutil.rmtree(path)
        elif names is None:
            path.unlink()
        else:
            while str(number) in names:
                number += 1
            path.rename(spares / str(number))  # a rename: no inode freed, none to allocate
            number += 1
        removed += 1
    return removed


def finish_results_folder(folder: Path) -> None:
    """Delete the spares this run did not take over (a run with fewer files, or ``-j``)."""
    shutil.rmtree(folder / SPARES, ignore_errors=True)
