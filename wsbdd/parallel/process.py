"""A worker process: started in its own session, read in a thread, stopped for sure.

The reader thread turns the worker's merged stdout/stderr into text pieces
and :class:`~wsbdd.parallel.protocol.Event` items (see
:class:`~wsbdd.parallel.protocol.MarkerSplitter`) and puts them, tagged with
the worker, on the supervisor's queue, then an :class:`Exited` item once the
output ends and the process is gone.

:meth:`WorkerProcess.stop` ends a worker within a bound whatever it is
doing: ``SIGINT`` first (behave aborts and ``after_all`` stops the worker's
embedded server), then ``SIGKILL`` for the worker and every process it
started, the embedded server included (it runs in a session of its own).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psutil

from wsbdd.parallel.forked import ForkedWorker, can_fork
from wsbdd.parallel.protocol import Event, MarkerSplitter

__all__ = ["Exited", "Output", "WorkerProcess", "stop_all"]

_CHUNK = 65536


@dataclass(frozen=True)
class Output:
    """A piece of a worker's output: text, or a marker event."""

    worker: int
    item: str | Event


@dataclass(frozen=True)
class Exited:
    """A worker's output ended and the process exited with ``returncode``."""

    worker: int
    returncode: int


class WorkerProcess:
    """One ``python -m wsbdd.parallel.worker`` child and its reader thread.

    The worker is forked from a pre-imported parent where the platform can
    (:mod:`wsbdd.parallel.forked`), else started as a new interpreter.
    """

    def __init__(self, index: int, inbox: queue.SimpleQueue[Any]) -> None:
        self.index = index
        self._inbox = inbox
        self._proc: subprocess.Popen[bytes] | ForkedWorker | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._family: dict[int, psutil.Process] = {}

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self, argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None) -> None:
        """Start the worker; its output flows to the queue from now on."""
        if can_fork(argv):
            self._proc = ForkedWorker(argv, env, cwd)
        else:
            self._proc = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._thread = threading.Thread(
            target=self._read, name=f"wsbdd-worker-{self.index}", daemon=True
        )
        self._thread.start()

    def _read(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        splitter = MarkerSplitter()
        fd = proc.stdout.fileno()
        try:
            while True:
                chunk = os.read(fd, _CHUNK)
                if not chunk:
                    break
                for item in splitter.feed(decoder.decode(chunk)):
                    self._inbox.put(Output(self.index, item))
        except OSError:
            pass
        rest = splitter.flush() + decoder.decode(b"", final=True)
        if rest:
            self._inbox.put(Output(self.index, rest))
        self._inbox.put(Exited(self.index, proc.wait()))

    def send(self, line: str, *, close: bool = False) -> None:
        """Write ``line`` to the worker's standard input (a plan, ``go``); maybe close it."""
        proc = self._proc
        if proc is None or proc.stdin is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if line:
                proc.stdin.write(line.encode("utf-8"))
                proc.stdin.flush()
            if close:
                proc.stdin.close()

    def remember_family(self) -> None:
        """Note the worker's descendants now, so they can be killed after it is gone.

        Called when a feature starts (the embedded server is up by then) and
        before stopping, so even a worker that crashed leaves no server behind.
        """
        if self._proc is None:
            return
        with contextlib.suppress(psutil.Error):
            children = psutil.Process(self._proc.pid).children(recursive=True)
            with self._lock:
                self._family.update((child.pid, child) for child in children)

    def interrupt(self) -> None:
        """Ask the worker to stop: SIGINT (behave aborts, ``after_all`` runs), end of input."""
        proc = self._proc
        if proc is None:
            return
        self.remember_family()
        if proc.poll() is None:
            self._signal_group(signal.SIGINT)
            self.send("", close=True)  # a worker waiting for its plan or "go" aborts

    def finish(self, deadline: float) -> None:
        """Wait for the worker until ``deadline`` (monotonic), then SIGKILL it and its children."""
        proc = self._proc
        if proc is None:
            return
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.remember_family()
            self._signal_group(signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5.0)
        self._kill_family(5.0)

    def stop(self, grace: float = 5.0) -> None:
        """End the worker and its children: SIGINT, then SIGKILL after ``grace`` seconds."""
        stop_all([self], grace)

    def cleanup(self) -> None:
        """Kill what an exited worker left running (its embedded server, if it crashed)."""
        self._kill_family(5.0)

    def kill(self) -> None:
        """SIGKILL the worker and its children at once (a hung worker)."""
        self.remember_family()
        self._signal_group(signal.SIGKILL)
        self._kill_family(5.0)

    def _signal_group(self, signum: signal.Signals) -> None:
        proc = self._proc
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signum)

    def _kill_family(self, grace: float) -> None:
        with self._lock:
            family, self._family = list(self._family.values()), {}
        alive: list[psutil.Process] = []
        for child in family:  # psutil checks the pid still names the same process
            with contextlib.suppress(psutil.Error):
                child.kill()
                alive.append(child)
        psutil.wait_procs(alive, timeout=grace)

    def join(self, timeout: float) -> None:
        """Wait (bounded) for the reader thread to deliver the last output."""
        if self._thread is not None:
            self._thread.join(timeout)


def stop_all(workers: Sequence[WorkerProcess], grace: float) -> None:
    """Stop every worker within one shared ``grace`` period (then kill what is left)."""
    for worker in workers:
        worker.interrupt()
    deadline = time.monotonic() + grace
    for worker in workers:
        worker.finish(deadline)
