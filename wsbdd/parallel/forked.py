"""Workers forked from a parent that has already imported behave and wsbdd.

A new ``python -m wsbdd.parallel.worker`` spends about 0.5 s of CPU importing
Python, behave and wsbdd's steps before it runs a scenario. ``wsbdd run -j N``
instead starts one such parent (:mod:`multiprocessing`'s *forkserver*, which
imports :data:`PRELOAD` once and has no thread) and forks every worker from
it, so a worker starts in a few milliseconds.

What a forked worker gets is what the new interpreter got: its own session
(so the supervisor can signal the worker and everything it starts as one
group), the requested working directory (also ``sys.path[0]``, as
``python -m`` sets it) and environment, standard input and output on pipes
(errors merged into the output), unbuffered text streams, and ``atexit``
handlers run at its end. The project's own ``environment.py`` and step
modules are loaded by behave in each worker, as before.

:class:`ForkedWorker` offers the part of :class:`subprocess.Popen` that
:class:`~wsbdd.parallel.process.WorkerProcess` uses. Where the platform has
no forkserver, workers are new interpreters (:func:`can_fork`).
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection, wait
from typing import IO, Any, Final

__all__ = ["PRELOAD", "WORKER_MODULE", "ForkedWorker", "can_fork", "stop_forkserver"]

WORKER_MODULE: Final = "wsbdd.parallel.worker"
"""The module a worker command runs (``python -m wsbdd.parallel.worker ARGS``)."""

INTERRUPTED: Final = 128 + signal.SIGINT
"""A worker's exit status when SIGINT stopped it outside behave's run (as a shell reports it)."""

PRELOAD: Final = (
    "behave.__main__",
    WORKER_MODULE,
    "wsbdd.hooks",
    "wsbdd.steps",
    "wsbdd.server.cli",
)
"""What the forkserver imports: what every worker imports before its first scenario, and
what its embedded server imports (forked from the worker's spare, :mod:`wsbdd.server.spare`)."""


def can_fork(argv: Sequence[str]) -> bool:
    """Whether ``argv`` is a worker command this platform can fork instead of starting."""
    return (
        "forkserver" in multiprocessing.get_all_start_methods()
        and len(argv) >= 3
        and argv[0] == sys.executable
        and argv[1] == "-m"
        and argv[2] == WORKER_MODULE
    )


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def stop_forkserver() -> None:
    """Stop the forkserver, and the resource tracker multiprocessing started with it.

    Both would end on their own once this process ends; a run stops them
    when its workers are gone, so that it leaves no process behind when it
    returns. (``_stop`` is how multiprocessing's own tests stop them.)
    """
    from multiprocessing import forkserver, resource_tracker

    servers: tuple[Any, ...] = (
        getattr(forkserver, "_forkserver", None),
        getattr(resource_tracker, "_resource_tracker", None),
    )
    for server in servers:
        with contextlib.suppress(AttributeError, OSError):
            server._stop()


def _text_stream(fd: int, mode: str) -> io.TextIOWrapper:
    if mode == "r":
        return io.TextIOWrapper(io.FileIO(fd, "r", closefd=False), encoding="utf-8")
    return io.TextIOWrapper(
        io.FileIO(fd, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        write_through=True,
    )


def _run_worker(
    args: list[str], env: dict[str, str], cwd: str | None, stdin: Connection, stdout: Connection
) -> None:
    """In the forked child: become ``python -m wsbdd.parallel.worker ARGS``; exit with its code.

    The supervisor's stop (SIGINT) may come at any moment, also while the child is
    still setting itself up: whenever it comes, the worker ends with
    :data:`INTERRUPTED` and no traceback.
    """
    code = INTERRUPTED
    discard = None
    try:
        _become_worker(args, env, cwd, stdin, stdout)
        from wsbdd.parallel.worker import main
        from wsbdd.server import spare

        discard = spare.discard
        spare.prepare()  # no thread yet: the embedded server's process, forked now
        code = main(args)
    except KeyboardInterrupt:  # the supervisor's stop, outside behave's run: no traceback
        code = INTERRUPTED
    finally:
        import atexit

        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # the end is not interrupted
        if discard is not None:
            discard()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    raise SystemExit(code)


def _become_worker(
    args: list[str], env: dict[str, str], cwd: str | None, stdin: Connection, stdout: Connection
) -> None:
    """The process a new interpreter would be: its own session, folder, environment and streams."""
    os.setsid()
    if cwd is not None:
        os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    os.dup2(stdin.fileno(), 0)
    os.dup2(stdout.fileno(), 1)
    os.dup2(stdout.fileno(), 2)
    stdin.close()
    stdout.close()
    sys.stdin = _text_stream(0, "r")
    sys.stdout = _text_stream(1, "w")
    sys.stderr = _text_stream(2, "w")
    sys.argv = [WORKER_MODULE, *args]
    sys.path[0] = os.getcwd()


class ForkedWorker:
    """A worker forked from the forkserver, used as :class:`subprocess.Popen` would be."""

    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None
    ) -> None:
        self.args = list(argv)
        child_in, parent_in = os.pipe()
        parent_out, child_out = os.pipe()
        ends = (Connection(child_in, writable=False), Connection(child_out, readable=False))
        try:
            self._process = _context().Process(
                target=_run_worker,
                args=(self.args[3:], dict(env), cwd, *ends),
                name="wsbdd-worker",
            )
            self._process.start()
            # multiprocessing polls its children's status whenever another starts; the
            # forkserver sends a status once, so only this object may read it (poll()).
            multiprocessing.process._children.discard(self._process)  # type: ignore[attr-defined]
        except BaseException:
            os.close(parent_in)
            os.close(parent_out)
            raise
        finally:
            for end in ends:
                end.close()
        self.pid: int = int(self._process.pid or 0)
        self.stdin: IO[bytes] | None = open(parent_in, "wb")  # noqa: SIM115 - closed by its user
        self.stdout: IO[bytes] | None = open(parent_out, "rb", buffering=0)  # noqa: SIM115
        self._lock = threading.Lock()

    def poll(self) -> int | None:
        """The exit status, or None while the worker runs."""
        with self._lock:  # the forkserver sends the status once: one reader at a time
            code: int | None = self._process.exitcode
        return code

    def wait(self, timeout: float | None = None) -> int:
        """Wait until the worker exits (``subprocess.TimeoutExpired`` after ``timeout`` s)."""
        if not wait([self._process.sentinel], timeout):
            raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
        code = self.poll()
        assert code is not None
        return code
