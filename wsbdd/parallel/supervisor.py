"""Runs the workers to the end: handing out work, output, watchdog, signals.

:class:`Supervisor` starts every worker at once, before the run is even
planned (start-up and planning overlap); :meth:`Supervisor.run` then hands
out the batches of scenarios (:meth:`Supervisor.schedule`), longest first,
to whichever worker asks for more, and prints the workers' output through
the :class:`~wsbdd.parallel.console.Console` as it arrives. Once every
batch is out, the ``@serial`` scenarios go to the one worker that asks when
every other worker is idle or gone, and the others are told there is no
more work: the serial scenarios run alone, after all the others. It ends:

* a worker that reports no progress (no marker) for ``worker_timeout``
  seconds: killed, with everything it started; it counts as *hung*;
* everything on SIGINT or SIGTERM (while the supervisor is active): each
  worker is stopped within a bound (:func:`~wsbdd.parallel.process.stop_all`),
  then the run reports what finished.
"""

from __future__ import annotations

import contextlib
import json
import math
import queue
import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import Any

from wsbdd.parallel.console import Console, WorkerOutput
from wsbdd.parallel.forked import stop_forkserver
from wsbdd.parallel.process import Exited, Output, WorkerProcess, stop_all
from wsbdd.parallel.units import Unit
from wsbdd.stop_signals import stop_signals_to

__all__ = ["Launch", "Outcome", "Supervisor"]

STOP_GRACE_S = 5.0


@dataclass(frozen=True)
class Launch:
    """How to start one worker: its label, command and environment."""

    label: str
    argv: Sequence[str]
    env: Mapping[str, str]


@dataclass
class Outcome:
    """How each worker ended: exit status (None: never exited by itself), hung or not."""

    outputs: list[WorkerOutput]
    returncodes: list[int | None]
    hung: list[bool]
    interrupted: signal.Signals | None = None
    elapsed: float = 0.0
    serial_after: float | None = None  # seconds from the start to the serial part's start


@contextlib.contextmanager
def _signals_to(inbox: queue.SimpleQueue[Any]) -> Iterator[None]:
    """While running, SIGINT and SIGTERM become items on ``inbox`` (main thread only)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        inbox.put(signal.Signals(signum))  # SimpleQueue.put is safe in a signal handler

    with stop_signals_to(handler):
        yield


class Supervisor:
    """The workers of one run, from their start to their end (a context manager)."""

    def __init__(self, launches: Sequence[Launch], worker_timeout: float) -> None:
        self.launches = launches
        self.worker_timeout = worker_timeout
        self.inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.workers = [WorkerProcess(index, self.inbox) for index in range(len(launches))]
        outputs = [WorkerOutput(launch.label) for launch in launches]
        self.outcome = Outcome(outputs, [None] * len(launches), [False] * len(launches))
        self.started = time.monotonic()
        self.running: set[int] = set()
        self.assigned: list[list[Unit]] = [[] for _ in launches]
        self.batches: list[list[Unit]] = []
        self.serial: list[Unit] = []
        self.parked: list[int] = []  # asked for work while only the serial batch was left
        self.progress: dict[int, float] = {}
        self._signals: contextlib.ExitStack | None = None

    def __enter__(self) -> Supervisor:
        self._signals = contextlib.ExitStack()
        self._signals.enter_context(_signals_to(self.inbox))
        for index, launch in enumerate(self.launches):
            self.workers[index].start(launch.argv, launch.env)
            self.running.add(index)
            self.progress[index] = time.monotonic()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            stop_all([self.workers[index] for index in self.running], STOP_GRACE_S)
            for worker in self.workers:
                worker.join(STOP_GRACE_S)
                worker.cleanup()
        finally:
            stop_forkserver()
            if self._signals is not None:
                self._signals.close()

    def schedule(self, batches: Sequence[Sequence[Unit]], serial: Sequence[Unit]) -> None:
        """The work to hand out: ``batches`` in this order, then ``serial`` alone."""
        self.batches = [list(batch) for batch in batches if batch]
        self.serial = list(serial)

    @property
    def unassigned(self) -> list[Unit]:
        """What no worker was given (the run was cut short)."""
        return [u for batch in self.batches for u in batch] + self.serial

    def run(self, console: Console) -> Outcome:
        """Hand out the work and print the output until every worker has exited."""
        while self.running:
            watched = [i for i in self.running if self.progress.get(i, math.inf) != math.inf]
            wait = None
            if watched:
                deadline = min(self.progress[i] for i in watched) + self.worker_timeout
                wait = max(0.0, deadline - time.monotonic())
            try:
                item = self.inbox.get(timeout=wait)
            except queue.Empty:
                self._watchdog(watched)
                continue
            self._take(item, console)
        self.outcome.elapsed = time.monotonic() - self.started
        return self.outcome

    def _give(self, index: int, batch: Sequence[Unit]) -> None:
        self.assigned[index].extend(batch)
        locations = [unit.location for unit in batch]
        self.workers[index].send(json.dumps({"locations": locations}) + "\n", close=not batch)
        self.progress[index] = time.monotonic() if batch else math.inf

    def _serve(self, index: int) -> None:
        """``index`` asks for work: the next batch, the serial one, or none."""
        if self.outcome.interrupted is not None:
            self._give(index, [])
        elif self.batches:
            self._give(index, self.batches.pop(0))
        elif self.serial:
            self.parked.append(index)
            self.progress[index] = math.inf  # waiting for the others is no hang
            self._start_serial()
        else:
            self._give(index, [])

    def _start_serial(self) -> None:
        busy = [i for i in self.running if i not in self.parked]
        if not self.serial or not self.parked or busy:
            return
        first, *others = self.parked
        self.parked = []
        self.outcome.serial_after = time.monotonic() - self.started
        self._give(first, self.serial)
        self.serial = []
        for index in others:
            self._give(index, [])

    def _watchdog(self, watched: Sequence[int]) -> None:
        now = time.monotonic()
        for index in watched:
            if now - self.progress[index] >= self.worker_timeout and not self.outcome.hung[index]:
                self.outcome.hung[index] = True
                self.progress[index] = math.inf  # its exit is next; do not fire again
                self.workers[index].kill()

    def _take(self, item: Any, console: Console) -> None:
        if isinstance(item, signal.Signals):
            if self.outcome.interrupted is None:
                self.outcome.interrupted = item
                console.notice(f"ABORTED: {item.name} received, stopping the workers")
                stop_all([self.workers[index] for index in self.running], STOP_GRACE_S)
        elif isinstance(item, Output):
            if not isinstance(item.item, str):
                self._moved(item.worker, item.item.kind)
            console.take(self.outcome.outputs[item.worker], item.item)
        elif isinstance(item, Exited):
            console.flush(self.outcome.outputs[item.worker])
            self.outcome.returncodes[item.worker] = item.returncode
            self.running.discard(item.worker)
            self.progress[item.worker] = math.inf
            if item.worker in self.parked:
                self.parked.remove(item.worker)
            self._start_serial()

    def _moved(self, index: int, kind: str) -> None:
        if self.progress.get(index) != math.inf:
            self.progress[index] = time.monotonic()
        if kind == "feature":
            self.workers[index].remember_family()
        elif kind == "next":
            self._serve(index)
