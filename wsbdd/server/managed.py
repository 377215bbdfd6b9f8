"""``ManagedServer``: the server under test as a subprocess (synchronous API).

Two forms:

* ``ManagedServer.embedded(args)`` runs ``python -m wsbdd.server --port 0 ...``
  and reads the ws/http URLs from its first stdout line; ``restart()`` reuses
  the port it got the first time.
* ``ManagedServer.command(cmd, health_url)`` runs a shell command (the user's
  system under test) and waits until ``health_url`` answers 2xx.

stdout/stderr are drained by background threads so the pipes never fill; the
last lines are kept for error messages. Used from behave hooks and steps, so
there is no asyncio here.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from wsbdd.core.exceptions import ServerControlError
from wsbdd.server import spare as spare_server
from wsbdd.server.spare import ForkedServer

__all__ = ["BANNER_PATTERN", "ManagedServer", "stop_every_server"]

BANNER_PATTERN = re.compile(r"listening on (?P<ws>wss?://\S+) (?P<http>https?://\S+)")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_RUNNING: weakref.WeakSet[ManagedServer] = weakref.WeakSet()
"""Every server started and not stopped yet (for :func:`stop_every_server`)."""


def stop_every_server(timeout: float = 1.0) -> None:
    """Stop every server this process started and has not stopped (a run interrupted)."""
    for server in list(_RUNNING):
        with contextlib.suppress(Exception):
            server.stop(timeout)


class ManagedServer:
    """A server subprocess: start, health check, stop, restart, memory."""

    def __init__(
        self,
        argv: Sequence[str] | str,
        *,
        shell: bool,
        health_url: str | None = None,
        env: Mapping[str, str] | None = None,
        startup_timeout: float = 15.0,
        embedded_port: int | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self._argv = argv
        self._shell = shell
        self._health_url = health_url
        self._env = dict(env) if env is not None else None
        self.startup_timeout = startup_timeout
        self._embedded_port = embedded_port
        self._host = host
        self._proc: subprocess.Popen[str] | ForkedServer | None = None
        self._threads: list[threading.Thread] = []
        self._stdout_tail: collections.deque[str] = collections.deque(maxlen=50)
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=50)
        self._banner = threading.Event()
        self._banner_line: str | None = None
        self.ws_url: str | None = None
        self.http_url: str | None = None
        if health_url is not None:
            found = re.match(r"(https?://[^/]+)", health_url)
            self.http_url = found.group(1) if found else None

    # -- constructors ----------------------------------------------------
    @classmethod
    def embedded(
        cls,
        options_args: Sequence[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        startup_timeout: float = 15.0,
    ) -> ManagedServer:
        """The bundled reference server with extra ``wsbdd serve`` arguments."""
        return cls(
            list(options_args),
            shell=False,
            embedded_port=port,
            host=host,
            startup_timeout=startup_timeout,
        )

    @classmethod
    def command(
        cls,
        cmd: str,
        health_url: str,
        env: Mapping[str, str] | None = None,
        *,
        startup_timeout: float = 30.0,
    ) -> ManagedServer:
        """A user's server started by the shell command ``cmd``."""
        return cls(cmd, shell=True, health_url=health_url, env=env, startup_timeout=startup_timeout)

    # -- state -----------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The process id (the shell's, for ``command``), None when not started."""
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        """True while the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def port(self) -> int | None:
        """The port of the embedded server once started (kept for restarts)."""
        return self._embedded_port or None

    def describe(self) -> str:
        """What is run, for messages."""
        return self._argv if isinstance(self._argv, str) else " ".join(self._full_argv())

    def stderr_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines the process wrote to stderr."""
        return "\n".join(list(self._stderr_tail)[-lines:])

    def rss_bytes(self) -> int:
        """Resident memory of the process and its children (psutil)."""
        import psutil  # only the memory steps ask

        if self._proc is None or not self.running:
            raise ServerControlError(f"server is not running: {self.describe()}")
        try:
            root = psutil.Process(self._proc.pid)
            total = root.memory_info().rss
            for child in root.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            return total
        except psutil.Error as exc:
            raise ServerControlError(
                f"cannot read the memory of pid {self._proc.pid}: {exc}"
            ) from exc

    # -- lifecycle -------------------------------------------------------
    def _full_argv(self) -> list[str]:
        assert not isinstance(self._argv, str)
        port = self._embedded_port or 0
        return [
            sys.executable,
            "-m",
            "wsbdd.server",
            "--host",
            self._host,
            "--port",
            str(port),
            *self._argv,
        ]

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        if self._env is not None:
            env.update(self._env)
        if not self._shell:
            paths = [_PACKAGE_ROOT, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
            env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
            env["PYTHONUNBUFFERED"] = "1"
        return env

    def start(self) -> None:
        """Start the process and wait until it is ready (bounded by ``startup_timeout``)."""
        if self.running:
            raise ServerControlError(f"server already running (pid {self.pid})")
        self._banner.clear()
        self._banner_line = None
        self._stdout_tail.clear()
        self._stderr_tail.clear()
        args: str | list[str] = self._argv if isinstance(self._argv, str) else self._full_argv()
        spare = None if self._shell else spare_server.take()
        try:
            if spare is not None:  # forked ahead of time (wsbdd.server.spare): no new interpreter
                self._proc = spare.launch(args[3:], self._environment())
            else:
                self._proc = subprocess.Popen(
                    args,
                    shell=self._shell,
                    env=self._environment(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    errors="replace",
                    bufsize=1,
                    start_new_session=True,
                )
        except OSError as exc:
            raise ServerControlError(f"cannot start {self.describe()}: {exc}") from exc
        _RUNNING.add(self)
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._threads = [
            threading.Thread(target=self._drain, args=(self._proc.stdout, True), daemon=True),
            threading.Thread(target=self._drain, args=(self._proc.stderr, False), daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        try:
            if self._shell:
                self._wait_healthy()
            else:
                self._wait_banner()
        except ServerControlError:
            self.stop()
            raise

    def _drain(self, stream: IO[str], is_stdout: bool) -> None:
        tail = self._stdout_tail if is_stdout else self._stderr_tail
        with contextlib.suppress(ValueError, OSError):
            for line in stream:
                line = line.rstrip("\n")
                tail.append(line)
                if is_stdout and not self._banner.is_set():
                    self._banner_line = line
                    self._banner.set()
        if is_stdout:
            self._banner.set()  # EOF: wake the waiter

    def _failure(self, what: str) -> ServerControlError:
        code = self._proc.poll() if self._proc is not None else None
        status = f" (exit status {code})" if code is not None else ""
        # give the stderr thread a moment to collect the last lines
        if self._proc is not None and code is not None:
            for thread in self._threads[1:]:
                thread.join(timeout=1.0)
        tail = self.stderr_tail()
        return ServerControlError(
            f"{what}{status}: {self.describe()}"
            + (f"\nstderr:\n{tail}" if tail else "\n(nothing on stderr)")
        )

    def _wait_banner(self) -> None:
        if not self._banner.wait(self.startup_timeout):
            raise self._failure(f"server printed nothing within {self.startup_timeout:g} s")
        line = self._banner_line
        found = BANNER_PATTERN.search(line or "")
        if found is None:
            if line is None:
                raise self._failure("server exited before printing its address")
            raise self._failure(f"unexpected first line from the server: {line!r}")
        self.ws_url, self.http_url = found.group("ws"), found.group("http")
        port = re.search(r":(\d+)$", self.http_url)
        if port:
            self._embedded_port = int(port.group(1))

    def _wait_healthy(self) -> None:
        import httpx  # only a command's health check asks over HTTP

        assert self._health_url is not None
        deadline = time.monotonic() + self.startup_timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if not self.running:
                raise self._failure("server exited during startup")
            try:
                response = httpx.get(self._health_url, timeout=1.0)
                if 200 <= response.status_code < 300:
                    return
                last = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(0.1)
        raise self._failure(
            f"{self._health_url} did not answer 2xx within {self.startup_timeout:g} s "
            f"(last: {last})"
        )

    def stop(self, timeout: float = 5) -> None:
        """SIGTERM (the whole process group), then SIGKILL after ``timeout``; waits for exit."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            self._signal(proc, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal(proc, signal.SIGKILL)
                proc.wait(5)
        elif self._shell:
            self._signal(proc, signal.SIGTERM)  # leftovers of a shell whose parent died
        _RUNNING.discard(self)
        for thread in self._threads:
            thread.join(timeout=2.0)

    def _signal(self, proc: subprocess.Popen[str] | ForkedServer, signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self._shell:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)

    def restart(self) -> None:
        """Stop then start again (the embedded form keeps its port)."""
        self.stop()
        self.start()

    def __enter__(self) -> ManagedServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
