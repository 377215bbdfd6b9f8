"""The synchronous facade the steps use: :class:`Clients`.

One :class:`Clients` per run, :meth:`Clients.reset` after each scenario,
:meth:`Clients.shutdown` (or ``close()`` without a name) at the end. Every
call is bounded: each one runs a coroutine on the loop thread with a timeout.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from wsbdd.core.codecs import Codec
from wsbdd.core.records import ConnectResult, Message

from .client import Client
from .loop import LoopThread
from .manager import ClientManager
from .request import ConnectRequest
from .transport import TransportFactory
from .view import ClientView

__all__ = ["GRACE", "Clients"]

T = TypeVar("T")

GRACE = 5.0
"""Seconds added to an operation's own bound before the facade gives up on it."""


class Clients:
    """Synchronous access to every client of the run (the steps' entry point).

    ``loop``: share an existing :class:`LoopThread` (it is then not stopped by
    :meth:`shutdown`); by default the facade starts and owns its own, choosing
    the event loop from ``environ`` (``WSBDD_UVLOOP``; default ``os.environ``).
    ``transports`` overrides the registry's factory per kind (see
    :class:`ClientManager`): a ``FakeServer`` runs every client without a socket.
    """

    def __init__(
        self,
        loop: LoopThread | None = None,
        *,
        send_timeout: float = 10.0,
        reset_timeout: float = 10.0,
        environ: Mapping[str, str] | None = None,
        transports: Mapping[str, TransportFactory] | None = None,
    ) -> None:
        self._owns_loop = loop is None
        self.loop = loop if loop is not None else LoopThread(environ=environ)
        self.loop.start()
        self.manager = ClientManager(
            send_timeout=send_timeout, reset_timeout=reset_timeout, transports=transports
        )

    # -- connecting -------------------------------------------------------------

    def connect(self, name: str, request: ConnectRequest) -> ConnectResult:
        """Connect client ``name``; return the outcome (never raises for server behaviour)."""
        bound = request.open_timeout + 2 * request.close_timeout + GRACE
        client = self.loop.run(self.manager.connect(name, request), bound)
        return client.result

    def connect_and_wait(
        self,
        name: str,
        request: ConnectRequest,
        probe: Callable[[Client], T | None],
        timeout: float,
    ) -> tuple[ConnectResult, T | None, bool]:
        """:meth:`connect`, then, once it opened, :meth:`wait` for ``probe``: one hop to the loop.

        The result of the connect, the probe's first non-None answer (None
        when it did not open, or when ``timeout`` seconds passed first), and
        whether the connection was open when the wait ended.
        """

        async def connect_and_wait() -> tuple[ConnectResult, T | None, bool]:
            client = await self.manager.connect(name, request)
            if not client.result.opened:
                return client.result, None, False
            found = await client.wait(probe, timeout)
            return client.result, found, client.is_open

        bound = request.open_timeout + 2 * request.close_timeout + GRACE + timeout
        return self.loop.run(connect_and_wait(), bound)

    def get(self, name: str) -> Client:
        """The client called ``name`` (raises :class:`~wsbdd.core.exceptions.UnknownClient`).

        The client belongs to the loop thread: read it only in probes
        (:meth:`wait`) or on the loop. Steps read :meth:`view` instead.
        """
        return self.loop.call(lambda: self.manager.get(name))

    def view(self, name: str) -> ClientView:
        """An immutable copy of client ``name``, taken on the loop (:class:`ClientView`)."""
        return self.loop.call(lambda: self.manager.get(name).view())

    def consume(self, name: str, messages: Sequence[Message]) -> None:
        """Remove ``messages`` from client ``name``'s inbox, on the loop (a match used them)."""

        def take() -> None:
            client = self.manager.get(name)
            if len(messages) == 1:
                client.consume(messages[0])
            else:
                client.consume_many(messages)

        self.loop.call(take)

    @property
    def changes(self) -> int:
        """A counter that grows whenever something arrives for a client (read without a hop).

        Equal readings mean nothing arrived in between, so a caller may skip
        looking; what arrived is only ever read on the loop.
        """
        return self.manager.changes

    def arrivals(self) -> deque[Message]:
        """Every message any client receives from now on, put there by the loop as it arrives.

        For one reader on this thread (``popleft`` until empty); nothing is
        lost between two readings, and reading needs no hop to the loop.
        """
        feed = self.manager.arrivals
        return feed if feed is not None else self.loop.call(self.manager.feed_arrivals)

    def names(self) -> list[str]:
        """Names of the scenario's clients, in connection order."""
        return self.loop.call(self.manager.names)

    # -- sending ------------------------------------------------------------------

    def send_text(self, name: str, text: str) -> float:
        """Send a text frame; returns the send time (``wsbdd.core.records.now()``)."""
        return self._run(self.manager.send_text(name, text), self.manager.send_timeout)

    def send_binary(self, name: str, data: bytes) -> float:
        """Send a binary frame; returns the send time."""
        return self._run(self.manager.send_binary(name, data), self.manager.send_timeout)

    def send_value(self, name: str, value: Any) -> float:
        """Send a JSON value in the client's codec (JSON text, MessagePack, ...); the send time."""
        return self._run(self.manager.send_value(name, value), self.manager.send_timeout)

    def send_many_values(
        self, name: str, values: Sequence[Any], rate: float | None = None
    ) -> list[float]:
        """Send JSON values in the client's codec, in order, ``rate`` per second."""
        duration = self.manager.send_duration(values, rate)
        return self._run(
            self.manager.send_many_values(name, values, rate),
            duration + self.manager.send_timeout,
        )

    def use_codec(self, name: str, codec: Codec) -> None:
        """Client ``name`` decodes (and encodes) with ``codec`` from now on."""
        self.loop.call(lambda: self.manager.get(name).use_codec(codec))

    def send_ping(self, name: str) -> float:
        """Send a protocol ping; returns the send time."""
        return self._run(self.manager.send_ping(name), self.manager.send_timeout)

    def send_many(
        self, name: str, frames: Sequence[str | bytes], rate: float | None = None
    ) -> list[float]:
        """Send text frames in order, ``rate`` per second (None: back to back).

        Returns every send time; the last one becomes the trigger.
        """
        duration = self.manager.send_duration(frames, rate)
        return self._run(
            self.manager.send_many(name, frames, rate), duration + self.manager.send_timeout
        )

    def last_ping_sent(self, name: str) -> float | None:
        """When client ``name`` last sent a protocol ping (None if never)."""
        return self.loop.call(lambda: self.manager.last_ping_sent(name))

    # -- closing --------------------------------------------------------------------

    def close(self, name: str | None = None, code: int = 1000, reason: str = "") -> None:
        """Close client ``name`` with ``code`` and ``reason`` (bounded, then abort).

        Without a name: end of run, same as :meth:`shutdown`.
        """
        if name is None:
            self.shutdown()
            return
        self.disconnect(name, code, reason)

    def disconnect(self, name: str, code: int = 1000, reason: str = "") -> None:
        """Close client ``name`` with a close frame (bounded by its close timeout)."""

        async def close() -> None:
            await self.manager.get(name).close(code, reason)

        self._run(close(), self._close_bound(name))

    def drop(self, name: str) -> None:
        """Cut client ``name``'s TCP connection at once (no closing handshake)."""

        async def drop() -> None:
            await self.manager.get(name).drop()

        self._run(drop(), GRACE)

    # -- heartbeats and flow control ------------------------------------------------

    def set_answer_pings(self, name: str, answer: bool) -> None:
        """Make client ``name`` answer (True) or ignore (False) protocol pings."""
        self.loop.call(lambda: self.manager.get(name).set_answer_pings(answer))

    def stop_reading(self, name: str) -> None:
        """Stop reading client ``name``'s socket (the server's buffers then fill)."""

        async def stop() -> None:
            await self.manager.get(name).stop_reading()

        self._run(stop(), GRACE)

    def resume_reading(self, name: str) -> None:
        """Resume reading client ``name``'s socket."""

        async def resume() -> None:
            await self.manager.get(name).resume_reading()

        self._run(resume(), GRACE)

    # -- waiting ------------------------------------------------------------------------

    def wait(
        self,
        name: str,
        probe: Callable[[Client], T | None],
        timeout: float,
        until: float | None = None,
    ) -> T | None:
        """Run ``probe(client)`` on the loop now and after every change to the client.

        Returns the first non-None result, or None once ``timeout`` seconds
        have passed (or, given, at the ``wsbdd.core.records.now()`` time ``until``,
        however long the request takes to reach a busy loop). Exceptions
        raised by the probe propagate.
        """
        return self._run(self.manager.wait(name, probe, timeout, until), timeout)

    def wait_all(
        self, probe: Callable[[Mapping[str, Client]], T | None], timeout: float
    ) -> T | None:
        """Like :meth:`wait`, over all clients: ``probe(clients_by_name)``."""
        return self._run(self.manager.wait_all(probe, timeout), timeout)

    # -- triggers ---------------------------------------------------------------------

    @property
    def last_trigger(self) -> float | None:
        """Time of the scenario's latest send, publish or HTTP request (or None)."""
        return self.manager.last_trigger

    def mark_trigger(self, at: float) -> None:
        """Record a trigger (a publish through HTTP, say) at time ``at``."""
        self.manager.mark_trigger(at)

    # -- escape hatch, reset, end of run ------------------------------------------------

    def run(
        self,
        factory: Callable[[ClientManager], Coroutine[Any, Any, T]],
        timeout: float,
    ) -> T:
        """Run ``factory(manager)`` on the loop, for at most ``timeout`` seconds."""
        return self.loop.run(factory(self.manager), timeout)

    def reset(self, before: Callable[[Mapping[str, Client]], T] | None = None) -> T | None:
        """Close every client (concurrently, bounded), cancel their tasks, clear state.

        ``before(clients)`` runs on the loop first, in the same hop; its result is returned.
        """
        return self.loop.run(self.manager.reset(before), self.manager.reset_timeout + GRACE)

    def shutdown(self) -> None:
        """End of run: :meth:`reset`, then stop and join the loop thread if owned."""
        if not self.loop.running:
            return
        try:
            self.reset()
        finally:
            if self._owns_loop:
                self.loop.stop()

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- helpers ---------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, T], bound: float) -> T:
        return self.loop.run(coro, bound + GRACE)

    def _close_bound(self, name: str) -> float:
        client = self.manager.clients.get(name)
        return 2 * client.request.close_timeout if client is not None else GRACE
