"""The app under test: a process started by a step and stopped with its children.

``When the app under test is started with "python client.py ${mock_url}"``
runs the command (split like a shell would, without a shell; a leading
``python``/``python3`` is the interpreter running wsbdd, so the app sees the
same installed packages) with ``WSBDD_MOCK_URL`` and ``MOCK_URL`` in its
environment. Its output (stdout and stderr, merged) is captured for the
report. :meth:`AppProcess.stop` ends it and every child: SIGTERM, then SIGKILL
after a grace period, so it is bounded even for an app that ignores SIGTERM.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping

import psutil

from wsbdd.core.exceptions import UsageError

__all__ = ["OUTPUT_LIMIT", "STOP_GRACE", "AppProcess"]

STOP_GRACE = 2.0
"""Seconds an app gets to exit after SIGTERM before it is killed."""
OUTPUT_LIMIT = 1_000_000
"""Characters of output kept per app (the latest ones)."""


class AppProcess:
    """One running app under test and its captured output."""

    def __init__(
        self,
        command: str,
        env: Mapping[str, str],
        *,
        cwd: str | None = None,
        notify: threading.Event | None = None,
    ) -> None:
        self.command = command
        self._notify = notify
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise UsageError(f'cannot read the command "{command}": {exc}') from None
        if not argv:
            raise UsageError("the app under test needs a command")
        if argv[0] in ("python", "python3"):
            argv[0] = sys.executable
        self._chunks: list[str] = []
        self._size = 0
        self._lock = threading.Lock()
        self.exited = threading.Event()
        """Set when the app's output ended (it exited, or closed its output)."""
        try:
            self.process = subprocess.Popen(
                argv,
                cwd=cwd,
                env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            raise UsageError(
                f'the app under test cannot start: "{command}": {exc.strerror or exc}'
            ) from None
        self._reader = threading.Thread(target=self._read, name="wsbdd-app-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        for raw in iter(stream.readline, b""):
            text = raw.decode("utf-8", "replace")
            with self._lock:
                self._chunks.append(text)
                self._size += len(text)
                while self._size > OUTPUT_LIMIT and len(self._chunks) > 1:
                    self._size -= len(self._chunks.pop(0))
        stream.close()
        self.exited.set()
        if self._notify is not None:
            self._notify.set()

    @property
    def output(self) -> str:
        """Everything the app printed so far (the latest :data:`OUTPUT_LIMIT` characters)."""
        with self._lock:
            return "".join(self._chunks)

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def wait(self, timeout: float) -> int | None:
        """The exit code, waiting up to ``timeout``; None when still running."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def describe_exit(self) -> str:
        """``the app under test "python x.py" exited with code 2; its output: ...``."""
        code = self.wait(STOP_GRACE)
        if code is None:
            return f'the app under test "{self.command}" is still running'
        self._reader.join(STOP_GRACE)
        output = self.output.strip()
        shown = "\n".join(f"  {line}" for line in output.splitlines()[-30:]) or "  (no output)"
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        return f'the app under test "{self.command}" {how}; its output:\n{shown}'

    def stop(self, grace: float = STOP_GRACE) -> None:
        """End the app and all its children: SIGTERM, then SIGKILL after ``grace``."""
        try:
            family = [psutil.Process(self.process.pid)]
            family += family[0].children(recursive=True)
        except psutil.Error:
            family = []
        self._signal_group(signal.SIGTERM)
        for proc in family:
            with contextlib.suppress(psutil.Error):
                proc.terminate()
        _, alive = psutil.wait_procs(family, timeout=grace)
        if alive or self.process.poll() is None:
            self._signal_group(signal.SIGKILL)
            for proc in alive:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            psutil.wait_procs(alive, timeout=grace)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(grace)
        self._reader.join(grace)

    def _signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)
