"""The one asyncio event loop of a wsbdd run, in a background daemon thread.

Steps are synchronous (behave); every connection lives on this loop from the
start of the run to the end, so frames are read and stamped while steps run,
sleep or fail. Steps reach the loop through :meth:`LoopThread.run`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Generic, TypeVar, cast

__all__ = ["LoopThread", "new_event_loop"]


def new_event_loop(environ: Mapping[str, str] | None = None) -> asyncio.AbstractEventLoop:
    """The run's event loop: uvloop when ``WSBDD_UVLOOP=1`` and it is installed.

    uvloop (``pip install "wsbdd[fast]"``) shortens every hop between a step
    and the loop and speeds up receiving broadcasts (docs/performance.md).
    It is opt-in: asyncio's own loop is the default everywhere.
    """
    environ = os.environ if environ is None else environ
    if environ.get("WSBDD_UVLOOP", "0") not in ("", "0"):
        try:
            import uvloop
        except ImportError:
            pass  # not installed: asyncio's loop does the same work
        else:
            return cast(asyncio.AbstractEventLoop, uvloop.new_event_loop())
    return asyncio.new_event_loop()


T = TypeVar("T")

log = logging.getLogger("wsbdd.runtime")

_STOP_GRACE = 5.0
"""Seconds :meth:`LoopThread.stop` gives the loop to cancel its tasks."""


class LoopThread:
    """An asyncio event loop running forever in a daemon thread.

    ``start()`` is idempotent; ``run(coro, timeout)`` runs a coroutine on the
    loop and blocks the calling thread for its result (cancelling it when the
    timeout expires); ``stop()`` cancels every remaining task, stops the loop
    and joins the thread.
    """

    def __init__(
        self, name: str = "wsbdd-loop", *, environ: Mapping[str, str] | None = None
    ) -> None:
        self.name = name
        self._environ = environ
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop (starting the thread on first use)."""
        self.start()
        assert self._loop is not None
        return self._loop

    @property
    def running(self) -> bool:
        """True while the loop thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def thread(self) -> threading.Thread | None:
        """The loop's thread, or None when stopped."""
        return self._thread

    def start(self) -> None:
        """Start the loop thread unless it already runs."""
        with self._lock:
            if self.running:
                return
            loop = new_event_loop(self._environ)
            loop.set_exception_handler(_quiet_exception_handler)
            ready = threading.Event()

            def main() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            thread = threading.Thread(target=main, name=self.name, daemon=True)
            self._loop, self._thread = loop, thread
            thread.start()
            ready.wait()

    def stop(self) -> None:
        """Cancel every task left on the loop, stop it, join the thread, close it.

        Safe to call twice, or when the loop was never started.
        """
        with self._lock:
            loop, thread = self._loop, self._thread
            if loop is None or thread is None:
                return
            if thread.is_alive():
                fut = asyncio.run_coroutine_threadsafe(_cancel_all(), loop)
                try:
                    fut.result(_STOP_GRACE)
                except Exception:
                    fut.cancel()
                loop.call_soon_threadsafe(loop.stop)
                thread.join(_STOP_GRACE)
            if not thread.is_alive():
                loop.close()
            self._loop, self._thread = None, None

    # -- calling into the loop ---------------------------------------------

    def in_loop_thread(self) -> bool:
        """True when called from the loop's own thread."""
        return self._thread is not None and threading.current_thread() is self._thread

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the loop and return its result (or raise its exception).

        With a ``timeout`` (seconds), the coroutine is cancelled when it has not
        finished in time and :class:`TimeoutError` is raised. Calling this from
        the loop thread itself would deadlock and raises :class:`RuntimeError`.

        Every step reaches the loop through here, several times a scenario, so
        the hand-off is kept light: one wake-up of the loop, which starts the
        task, and one lock the task's done-callback releases (not
        :func:`asyncio.run_coroutine_threadsafe`, whose chained futures cost a
        third more a call; docs/performance.md).
        """
        if self.in_loop_thread():
            coro.close()
            raise RuntimeError("LoopThread.run() called from the loop thread (use await)")
        handoff: _Handoff[T] = _Handoff(coro)
        try:
            self.loop.call_soon_threadsafe(handoff.start)
        except BaseException:
            coro.close()
            raise
        if handoff.wait(timeout):
            return handoff.result()
        handoff.cancel(self.loop)
        name = getattr(coro, "__qualname__", repr(coro))
        raise TimeoutError(f"{name} did not finish within {timeout} s") from None

    def call(self, fn: Callable[[], T], timeout: float | None = 10.0) -> T:
        """Run a plain function on the loop thread and return its result."""
        if self.in_loop_thread():
            return fn()

        async def call() -> T:
            return fn()

        return self.run(call(), timeout)


class _Handoff(Generic[T]):
    """One coroutine run for a caller on another thread: started on the loop, awaited by a lock."""

    __slots__ = ("_coro", "_done", "_failure", "_task")

    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self._coro = coro
        self._done = threading.Lock()
        self._done.acquire()  # released once the task has finished (or could not start)
        self._task: asyncio.Task[T] | None = None
        self._failure: BaseException | None = None

    def start(self) -> None:
        """On the loop: start the coroutine as a task."""
        try:
            task = asyncio.get_running_loop().create_task(self._coro)
        except BaseException as exc:
            self._coro.close()
            self._failure = exc
            self._done.release()
            return
        self._task = task
        task.add_done_callback(self._finished)

    def _finished(self, _task: asyncio.Task[T]) -> None:
        self._done.release()

    def wait(self, timeout: float | None) -> bool:
        """Block until the task finished; False when ``timeout`` seconds passed first."""
        return self._done.acquire(timeout=-1 if timeout is None else max(timeout, 0.0))

    def result(self) -> T:
        """The finished task's result, or its exception raised here."""
        if self._failure is not None:
            raise self._failure
        assert self._task is not None
        if self._task.cancelled():
            raise TimeoutError("the operation was cancelled on the loop")
        return self._task.result()

    def cancel(self, loop: asyncio.AbstractEventLoop, grace: float = 1.0) -> None:
        """Cancel the task (timed out) and give it ``grace`` seconds to finish cancelling."""

        def cancel() -> None:  # runs after start (callbacks keep their order)
            if self._task is not None:
                self._task.cancel()

        try:
            loop.call_soon_threadsafe(cancel)
        except RuntimeError:  # the loop closed meanwhile
            return
        self._done.acquire(timeout=grace)


async def _cancel_all() -> None:
    """Cancel every task on the running loop but the caller, and wait for them."""
    me = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not me]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=_STOP_GRACE)
    loop = asyncio.get_running_loop()
    await loop.shutdown_asyncgens()


def _quiet_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Log unhandled loop errors in one line, without traceback spam."""
    exc = context.get("exception")
    message = context.get("message", "unhandled error on the wsbdd loop")
    if exc is not None:
        log.debug("%s: %s: %s", message, type(exc).__name__, exc)
    else:
        log.debug("%s", message)
