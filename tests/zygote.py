"""A pre-imported parent that forks ``python -m behave`` / ``python -m wsbdd`` runs for the tests.

A fresh ``python -m behave`` of a one-step wsbdd feature costs about 0.5 s of
CPU, nearly all of it importing Python, behave and wsbdd; a child forked from
a process that already imported them costs about 0.05 s. The tests start
hundreds of such runs, so :func:`run_forked` starts them from this zygote,
one per pytest worker, started on first use.

What a child gets is what ``subprocess.run`` would give it: its own working
directory (also ``sys.path[0]``, as ``python -m`` sets it), exactly the
environment asked for, stdin from ``/dev/null``, stdout and stderr merged
into one file, unbuffered, SIGCHLD as the default, ``atexit`` handlers and
non-daemon threads finished at exit, and the module run as ``__main__``
(``runpy``). The zygote itself never runs anything but ``fork``: it has no
thread, and its imports are the ones every run makes anyway. Each child forks a
spare for its embedded server, as a ``wsbdd run -j`` worker does
(:mod:`wsbdd.server.spare`), and discards it at its end when no server took it.

``TESTS_FRESH_PROCESSES=1`` turns it off (every run a new interpreter).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

FORKED_MODULES = ("behave", "wsbdd")
"""``python -m NAME`` commands the zygote runs; any other command starts a new interpreter."""

PRELOAD = ("behave.__main__", "wsbdd.cli", "wsbdd.hooks", "wsbdd.steps", "wsbdd.server.cli")
"""What the zygote imports: what every behave run of a wsbdd project imports, and the
reference server, which a run's embedded server is forked with (wsbdd/server/spare.py)."""


def _child(request: dict[str, object]) -> None:
    """In the forked child: become the requested run, then exit with its status."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    cwd = str(request["cwd"])
    os.chdir(cwd)
    environ = request["env"]
    assert isinstance(environ, dict)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in environ.items()})
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    out = os.open(str(request["out"]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    os.close(null)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), encoding="utf-8", write_through=True
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
        write_through=True,
    )
    sys.path[0] = cwd
    argv = request["argv"]
    assert isinstance(argv, list)
    code = 0
    from wsbdd.server import spare

    try:
        spare.prepare()  # as a `wsbdd run -j` worker: its embedded server needs no new Python
        import runpy

        sys.argv = ["-m", *map(str, argv[1:])]
        sys.modules.pop(f"{argv[0]}.__main__", None)  # runpy runs it afresh, without a warning
        runpy.run_module(str(argv[0]), run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if not isinstance(stop.code, int | None):
            print(stop.code, file=sys.stderr)
    except BaseException:  # as the interpreter would: a traceback, status 1
        import traceback

        traceback.print_exc()
        code = 1
    try:
        threading._shutdown()  # type: ignore[attr-defined]  # what interpreter exit does
        spare.discard()
        import atexit

        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        Path(str(request["status"])).write_text(str(code))
        os._exit(code & 0xFF)


def serve() -> None:
    """The zygote's loop: one JSON request a line on stdin, the child's pid a line back."""
    for name in PRELOAD:
        __import__(name)
    assert threading.active_count() == 1, "the zygote must have no thread when it forks"
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                _child(request)
            finally:
                os._exit(1)
        replies.write(f"{pid}\n")


class Zygote:
    """The test side: one zygote process, asked for runs from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None

    def _started(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
            self._proc = subprocess.Popen(
                [sys.executable, "-c", "from tests.zygote import serve; serve()"],
                cwd=Path(__file__).resolve().parents[1],
                env=environ,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        return self._proc

    def start(self, request: Mapping[str, object]) -> int:
        """Fork one run; its pid."""
        with self._lock:
            proc = self._started()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(dict(request)) + "\n")
            proc.stdin.flush()
            return int(proc.stdout.readline())


_ZYGOTE = Zygote()


class Timeout(Exception):
    """The forked run did not end within its time (it was killed)."""


def forkable(command: Sequence[str]) -> bool:
    """Whether ``command`` is ``python -m behave|wsbdd ...`` and forking is on."""
    return (
        os.environ.get("TESTS_FRESH_PROCESSES") != "1"
        and len(command) >= 3
        and command[0] == sys.executable
        and command[1] == "-m"
        and command[2] in FORKED_MODULES
    )


def run_forked(
    command: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float
) -> tuple[int, str]:
    """Run ``command`` (see :func:`forkable`) forked from the zygote: exit status, output.

    Raises :class:`Timeout` (with the output so far as its argument) when it
    runs longer than ``timeout`` seconds.
    """
    with tempfile.TemporaryDirectory(prefix="forked-run-") as scratch:
        out, status = Path(scratch, "output"), Path(scratch, "status")
        pid = _ZYGOTE.start(
            {"argv": list(command[2:]), "cwd": str(cwd), "env": dict(env),
             "out": str(out), "status": str(status)}
        )
        with contextlib.suppress(ProcessLookupError):  # else it has ended already
            watch = os.pidfd_open(pid)
            try:
                if not select.select([watch], [], [], timeout)[0]:
                    os.kill(pid, signal.SIGKILL)
                    select.select([watch], [], [], 10)
                    raise Timeout(_read(out))
            finally:
                os.close(watch)
        code = int(status.read_text()) if status.exists() else -signal.SIGKILL
        return code, _read(out)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
