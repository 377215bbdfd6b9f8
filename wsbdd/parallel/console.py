"""The one console of a parallel run: each scenario's output printed whole.

Each worker's output is cut at its markers into *loose text* (what it printed
outside any feature: before its first one, between batches, in
``after_all``), *feature headers* and *scenario blocks* (a scenario's lines,
up to the next scenario, feature or batch). A block is printed in
one piece once the worker has moved past it, so two scenarios' lines never
mix; a feature's header is printed again only when the previous block came
from another feature. What a worker prints after its last feature (its own
summary) is kept for crash reports but never shown: the supervisor prints
the run's one summary.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from wsbdd.parallel.protocol import Event

__all__ = ["Console", "WorkerOutput"]

_TAIL_LINES = 200
_NOISE = ("USING RUNNER:",)


@dataclass
class WorkerOutput:
    """Where one worker's output stands: the current header or block, its results."""

    label: str
    preamble: list[str] = field(default_factory=list)
    feature: str | None = None
    header: list[str] = field(default_factory=list)
    block: list[str] | None = None
    location: str | None = None
    finished: bool = False
    started: set[str] = field(default_factory=set)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=_TAIL_LINES))

    def output_tail(self) -> str:
        """The worker's last lines (everything it printed, markers left out)."""
        return "".join(self.tail)


class Console:
    """Prints the workers' output in whole pieces, redacted, to one stream."""

    def __init__(self, stream: TextIO, redact: Callable[[str], str] = lambda text: text) -> None:
        self._stream = stream
        self._redact = redact
        self._last_feature: str | None = None
        self._at_line_start = True
        self._preambles: set[str] = set()
        self._gone = False

    def redact(self, text: str) -> str:
        """``text`` with the run's secrets hidden."""
        return self._redact(text)

    def write(self, text: str) -> None:
        """Print ``text`` now (redacted)."""
        if not text:
            return
        text = self._redact(text)
        self._at_line_start = text.endswith("\n")
        if self._gone:
            return
        try:
            self._stream.write(text)
            self._stream.flush()
        except BrokenPipeError:  # `wsbdd run -j 4 | head`: the run goes on, unseen
            self._gone = True
            with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
                # Python's own recipe, so that nothing fails when the stream is flushed later.
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self._stream.fileno())

    def _line_start(self) -> None:
        if not self._at_line_start:
            self.write("\n")

    def take(self, worker: WorkerOutput, item: str | Event) -> None:
        """Account for one piece of ``worker``'s output (text or marker)."""
        if isinstance(item, str):
            worker.tail.append(item)
            if worker.finished:
                return
            if worker.block is not None:
                worker.block.append(item)
            elif worker.feature is not None:
                worker.header.append(item)
            else:
                worker.preamble.append(item)
            return
        if item.kind == "feature":
            self.flush(worker)
            worker.feature = str(item.data.get("file"))
            worker.header = []
        elif item.kind == "scenario":
            self.flush(worker)
            worker.location = str(item.data.get("location"))
            worker.started.add(worker.location)
            worker.block = []
        elif item.kind == "result":
            worker.results[str(item.data.get("location"))] = item.data
        elif item.kind == "next":
            # Between two batches (and after the last: after_all's own output).
            self.flush(worker)
            worker.feature = None
            worker.header = []
        elif item.kind == "close":
            self.flush(worker)
            worker.finished = True

    def _print_preamble(self, worker: WorkerOutput) -> None:
        lines = "".join(worker.preamble).splitlines(keepends=True)
        worker.preamble = []
        text = "".join(line for line in lines if not line.startswith(_NOISE))
        if text.strip() and text not in self._preambles:
            self._preambles.add(text)
            self._line_start()
            self.write(text)

    def flush(self, worker: WorkerOutput) -> None:
        """Print what ``worker`` has finished: its preamble, then its current block."""
        self._print_preamble(worker)
        if worker.block is None:
            return
        block, worker.block = "".join(worker.block), None
        worker.location = None
        if not block:
            return  # nothing to show (a progress formatter prints at the next scenario)
        if worker.feature != self._last_feature:
            self._line_start()
            self.write("".join(worker.header))
            self._last_feature = worker.feature
        self.write(block)

    def notice(self, text: str) -> None:
        """A line of the supervisor's own (a crashed or hung worker), on a line of its own."""
        self._line_start()
        self.write(text if text.endswith("\n") else text + "\n")
