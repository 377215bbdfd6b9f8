"""A spare server process, forked while its parent is still single-threaded.

A new ``python -m wsbdd.server`` spends about 0.3 s of CPU starting Python
and importing asyncio, websockets and the server before it listens. A
``wsbdd run -j`` worker starts one such server, so :func:`prepare` (called
by :mod:`wsbdd.parallel.forked` as a worker starts, before behave runs and
before any thread exists) forks a child that waits, doing nothing, for the
arguments of the server it is to become. :class:`~wsbdd.server.managed.ManagedServer`
takes it (:func:`take`) for its first start; a restart, or a process that
prepared no spare, starts a new interpreter as before.

What the server gets is what ``subprocess.Popen(start_new_session=True)``
gave it: its own session, the requested environment, standard input from
``/dev/null``, standard output and error on pipes (line-buffered text for
the reader), and no other file of its parent. It runs
``wsbdd.server.cli.main(argv)`` and exits with its status. A spare nobody
takes exits when its parent closes it (:func:`discard`, at the worker's end)
or dies.

:class:`ForkedServer` offers the part of :class:`subprocess.Popen` that
:class:`~wsbdd.server.managed.ManagedServer` uses.
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
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Final

__all__ = ["ForkedServer", "SpareProcess", "discard", "prepare", "take"]

SERVER_MAIN: Final = "wsbdd.server.cli:main"
"""What a spare becomes by default: the reference server's command line."""

_lock = threading.Lock()
_spare: SpareProcess | None = None


def prepare(target: str = SERVER_MAIN) -> None:
    """Fork a spare for this process's first server start (where ``os.fork`` exists)."""
    global _spare
    with _lock:
        if _spare is None and hasattr(os, "fork"):
            _spare = SpareProcess(target)


def take() -> SpareProcess | None:
    """The spare this process prepared, once (None: start a new interpreter)."""
    global _spare
    with _lock:
        spare, _spare = _spare, None
    if spare is not None and spare.owner != os.getpid():
        return None  # a child of the process that prepared it: not its to use
    return spare


def discard() -> None:
    """End the spare nobody took (it exits at once); waits for it."""
    spare = take()
    if spare is not None:
        spare.discard()


class SpareProcess:
    """A forked child waiting for the ``argv`` and environment it is to run ``target`` with."""

    def __init__(self, target: str) -> None:
        self.owner = os.getpid()
        request_r, request_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the spare: never returns
            _serve(target, request_r, out_w, err_w)
        os.close(request_r)
        os.close(out_w)
        os.close(err_w)
        self.pid = pid
        self._fds: tuple[int, ...] = (request_w, out_r, err_r)
        """The request's writing end and the server's output pipes, until launched."""

    def launch(self, argv: Sequence[str], env: Mapping[str, str]) -> ForkedServer:
        """Make the spare run ``target(argv)`` with ``env``; its handle, as Popen's."""
        request = json.dumps({"argv": list(argv), "env": dict(env)}).encode()
        fds, self._fds = self._fds, ()  # the server's handle owns them from here
        request_w, out, err = fds
        try:
            with open(request_w, "wb", closefd=True) as pipe:
                pipe.write(request)
        except OSError:  # the spare died meanwhile: its status tells the reader
            pass
        return ForkedServer(self.pid, list(argv), out, err)

    def discard(self) -> None:
        """Close the request unsent: the spare exits; reap it (nothing once launched)."""
        fds, self._fds = self._fds, ()
        if not fds:
            return
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _serve(target: str, request_r: int, out_w: int, err_w: int) -> None:
    """In the spare: wait for the request, become the server, exit with its status."""
    code = 1
    try:
        # At once, not when taken: the parent's pipes and sockets are not the spare's
        # (a reader of the parent's output must see its end when the parent ends).
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        for source, fd in ((null, 0), (out_w, 1), (err_w, 2)):
            os.dup2(source, fd)
        os.dup2(request_r, 3)
        os.closerange(4, _max_fd())
        chunks = []
        while chunk := os.read(3, 65536):
            chunks.append(chunk)
        os.close(3)
        if not chunks:  # discarded, or the parent is gone
            os._exit(0)
        request = json.loads(b"".join(chunks))
        os.environ.clear()
        os.environ.update(request["env"])
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = _text_out(1)
        sys.stderr = _text_out(2)
        import atexit

        atexit._clear()  # the parent's handlers are not the server's
        argv = [str(arg) for arg in request["argv"]]
        sys.argv = ["wsbdd.server", *argv]
        code = _status(_resolve(target), argv)
        atexit._run_exitfuncs()
    except SystemExit as stop:
        code = _exit_code(stop.code)
    except BaseException:
        import traceback

        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _status(main: Callable[[list[str]], int | None], argv: list[str]) -> int:
    try:
        return _exit_code(main(argv))
    except SystemExit as stop:
        return _exit_code(stop.code)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _resolve(target: str) -> Callable[[list[str]], int | None]:
    import importlib

    module, _, name = target.partition(":")
    function: Callable[[list[str]], int | None] = getattr(importlib.import_module(module), name)
    return function


def _max_fd() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (OSError, ValueError):
        return 4096


def _text_out(fd: int) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        io.FileIO(fd, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
        write_through=True,
    )


class ForkedServer:
    """A server started from a spare, used as :class:`subprocess.Popen` would be."""

    def __init__(self, pid: int, args: list[str], out: int, err: int) -> None:
        self.pid = pid
        self.args = args
        self.returncode: int | None = None
        self.stdout: IO[str] | None = open(  # noqa: SIM115 - closed by its reader
            out, encoding="utf-8", errors="replace", buffering=1
        )
        self.stderr: IO[str] | None = open(  # noqa: SIM115
            err, encoding="utf-8", errors="replace", buffering=1
        )
        self._lock = threading.Lock()

    def poll(self) -> int | None:
        """The exit status (``-N``: killed by signal N), or None while it runs."""
        with self._lock:
            if self.returncode is None:
                try:
                    pid, status = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): it has ended
                    self.returncode = 0
                else:
                    if pid:
                        self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait until it exits (``subprocess.TimeoutExpired`` after ``timeout`` s)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with _exit_watch(self.pid) as exited:
            while (code := self.poll()) is None:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
                exited(left)
        return code

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to the server (nothing once it has been reaped)."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)


@contextlib.contextmanager
def _exit_watch(pid: int) -> Iterator[Callable[[float | None], None]]:
    """A function that blocks until ``pid`` may have exited, or for at most the time given."""
    pidfd: int | None = None
    opener = getattr(os, "pidfd_open", None)
    if opener is not None:
        with contextlib.suppress(OSError):
            pidfd = opener(pid)

    def block(left: float | None) -> None:
        if pidfd is not None:
            select.select([pidfd], [], [], left)
        else:  # no pidfd (not Linux): look again in a little while
            time.sleep(0.01 if left is None else max(0.0, min(0.01, left)))

    try:
        yield block
    finally:
        if pidfd is not None:
            os.close(pidfd)
