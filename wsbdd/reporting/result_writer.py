"""Allure result files written off the scenario path, by one background thread.

Writing a result or an attachment is a create, a write and a rename: on a
loaded disk about a millisecond each, three per passing scenario. The
scenario's thread only hands the finished bytes (already redacted) to
:class:`ResultWriter`; its thread writes each file under a temporary name and
renames it into place, so a reader never sees half a file. ``flush`` (the
formatter's ``close``) waits until every file is written and raises the first
error the thread met.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

_Job = tuple[Path, bytes] | None


__all__ = ["ResultWriter"]


class ResultWriter:
    """One thread writing ``(path, data)`` jobs in order; ``flush`` waits for all of them."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[_Job] = queue.Queue()
        self._error: OSError | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

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
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            path, data = job
            try:
                temporary = path.with_name(f"{path.name}.tmp")
                temporary.write_bytes(data)
                os.replace(temporary, path)
            except OSError as error:  # kept for flush: the run learns it at the end
                self._error = self._error or error
