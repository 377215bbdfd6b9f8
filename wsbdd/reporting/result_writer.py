"""Allure result files written off the scenario path, by one background thread.

Writing a result or an attachment is a create, a write and a rename: on a
loaded disk about a millisecond each, three per passing scenario. The
scenario's thread only hands the finished bytes (already redacted) to
:class:`ResultWriter`; its thread writes each file under a temporary name and
renames it into place, so a reader never sees half a file. ``flush`` (the
formatter's ``close``) waits until every file is written and raises the first
error the thread met.

Where the folder holds the previous run's files as spares
(:data:`~wsbdd.reporting.results_folder.SPARES`), each new file takes one
over: the spare is renamed to the temporary name and overwritten in place,
so no inode is allocated and no block freed (:mod:`wsbdd.reporting.results_folder`
says why that matters); ``flush`` deletes the spares left over.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from pathlib import Path

from wsbdd.reporting.results_folder import SPARES, finish_results_folder

_Job = tuple[Path, bytes] | None


__all__ = ["ResultWriter"]


class ResultWriter:
    """One thread writing ``(path, data)`` jobs in order; ``flush`` waits for all of them."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[_Job] = queue.Queue()
        self._error: OSError | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._spares: dict[Path, list[Path]] = {}
        """Per results folder, the previous run's files not taken over yet (writer thread)."""

    def write(self, path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` (via ``path.tmp`` and a rename), on the writer thread."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="wsbdd-allure-writer", daemon=True
                )
                self._thread.start()
        self._jobs.put((path, data))

    def flush(self) -> None:
        """Wait until every file handed in so far is written; raise the first failure."""
        with self._lock:
            thread = self._thread
            self._thread = None
        if thread is not None:
            self._jobs.put(None)
            thread.join()
        spares, self._spares = self._spares, {}
        for folder in spares:
            finish_results_folder(folder)
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            path, data = job
            try:
                temporary = path.with_name(f"{path.name}.tmp")
                if self._take_spare(path.parent, temporary):
                    # overwritten in place: truncating first would free its blocks
                    # (and the file system may discard them on the spot)
                    with temporary.open("r+b") as spare:
                        spare.write(data)
                        spare.truncate()
                else:
                    temporary.write_bytes(data)
                os.replace(temporary, path)
            except OSError as error:  # kept for flush: the run learns it at the end
                self._error = self._error or error

    def _take_spare(self, folder: Path, temporary: Path) -> bool:
        """Rename one of ``folder``'s spares to ``temporary``; False if none is left."""
        spares = self._spares.get(folder)
        if spares is None:
            try:
                spares = list((folder / SPARES).iterdir())
            except OSError:  # no spares folder: a first run, or another kind of folder
                spares = []
            self._spares[folder] = spares
        while spares:
            with contextlib.suppress(OSError):  # gone meanwhile: take the next one
                os.replace(spares.pop(), temporary)
                return True
        return False
