"""The wsbdd run's end of crowds on Locust: start the master (and local workers), send commands.

Nothing here imports Locust or gevent: the master is a child process
(:mod:`wsbdd.distributed.master`), and so is every local worker
(``locust --worker -f wsbdd/distributed/locustfile.py``). Remote workers join
the same master with ``locust --worker --master-host <this machine>
--master-port <port> -f <the same locustfile>`` (docs/locust.md).

Every reply is awaited with a bound: a reader thread puts the master's lines
on a queue, and :meth:`LocustCrowds.command` gives up with a
:class:`~wsbdd.core.exceptions.UsageError` naming what did not answer.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from wsbdd.core.exceptions import UsageError

__all__ = ["LOCUSTFILE", "WORKERS_ENV", "LocustCrowds"]

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
"""The file every worker loads (``locust --worker -f`` this)."""

WORKERS_ENV = "WSBDD_LOCUST_WORKERS"
"""Environment key: the number of Locust workers crowds run on (same as the Given step)."""


class LocustCrowds:
    """A Locust master with ``workers`` workers, started for this run.

    ``local``: start the workers on this machine (else wait for remote ones
    to join ``bind``:``port``); ``ready_timeout``: how long to wait for them.
    """

    def __init__(
        self,
        workers: int,
        *,
        local: bool = True,
        bind: str = "127.0.0.1",
        port: int = 0,
        ready_timeout: float = 60.0,
    ) -> None:
        if workers < 1:
            raise UsageError(f"crowds need at least 1 Locust worker, got {workers}")
        self.workers = workers
        self._procs: list[subprocess.Popen[bytes]] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self.master = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "wsbdd.distributed.master",
                "--workers",
                str(workers),
                "--bind",
                bind,
                "--port",
                str(port),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.master.stdout is not None
        threading.Thread(target=self._read, args=(self.master.stdout,), daemon=True).start()
        self.port = int(self._reply(15.0, "the Locust master to start")["port"])
        if local:
            for _ in range(workers):
                self._procs.append(self._start_worker(bind))
        self._reply(ready_timeout, f"{workers} Locust workers to join port {self.port}")

    def _start_worker(self, host: str) -> subprocess.Popen[bytes]:
        locust = Path(sys.executable).with_name("locust")
        env = dict(os.environ)
        return subprocess.Popen(
            [
                str(locust),
                "--worker",
                "--master-host",
                host,
                "--master-port",
                str(self.port),
                "-f",
                str(LOCUSTFILE),
                "--loglevel",
                "WARNING",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)

    def _reply(self, timeout: float, what: str) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise UsageError(f"no answer within {timeout:g} s waiting for {what}") from None
        reply: dict[str, Any] = json.loads(line)
        return reply

    def command(self, command: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one command to every worker through the master; the merged reply."""
        stdin = self.master.stdin
        assert stdin is not None
        stdin.write(json.dumps({**command, "timeout": timeout}) + "\n")
        stdin.flush()
        return self._reply(timeout + 5.0, f"the workers' answer to {command.get('cmd')!r}")

    def close(self) -> None:
        """Close the crowd, stop the master and the local workers (bounded)."""
        try:
            if self.master.poll() is None:
                self.command({"cmd": "quit"}, 10.0)
        except (UsageError, OSError, ValueError):
            pass
        procs: list[subprocess.Popen[Any]] = [self.master, *self._procs]
        for proc in procs:
            try:
                proc.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5.0)
