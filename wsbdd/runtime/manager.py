"""The async side of the client runtime: every client of the scenario, on the loop.

:class:`ClientManager` owns the named clients, the scenario's last trigger
time and any helper task started for them. All its coroutines run on the
loop thread (see :class:`wsbdd.runtime.LoopThread`); steps use the
synchronous :class:`wsbdd.runtime.Clients` facade instead.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from wsbdd.core.exceptions import ExpectationFailed, UnknownClient, UsageError
from wsbdd.core.records import Message

from ._wakeup import wait_for_change, wake
from .client import Client
from .progress import Progress
from .request import ConnectRequest
from .transport import TransportFactory

if TYPE_CHECKING:  # a run without crowds never loads them
    from .crowd import Crowd

__all__ = ["ClientManager"]

T = TypeVar("T")


class ClientManager:
    """Named clients plus scenario-wide state; reset between scenarios.

    ``send_timeout`` bounds a send that cannot complete because the server
    stops reading (the write buffer stays full); ``reset_timeout`` bounds
    :meth:`reset` as a whole. ``transports`` maps a kind (``"websocket"``) to
    the factory its clients use instead of the registry's: tests pass a
    :class:`~wsbdd.runtime.transports.fake.FakeServer` to run without sockets.
    """

    def __init__(
        self,
        *,
        send_timeout: float = 10.0,
        reset_timeout: float = 10.0,
        transports: Mapping[str, TransportFactory] | None = None,
    ) -> None:
        self.clients: dict[str, Client] = {}
        self.transports: dict[str, TransportFactory] = dict(transports or {})
        """Factories that override the registry per kind (a test's ``FakeServer``)."""
        self.last_trigger: float | None = None
        self.send_timeout = send_timeout
        self.reset_timeout = reset_timeout
        self._waiters: list[asyncio.Future[None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self.crowds: list[Crowd] = []
        """The scenario's crowds (:mod:`wsbdd.runtime.crowd`), closed by :meth:`reset`."""
        self.progress = Progress()
        """Progress of long :meth:`send_many` runs (:mod:`wsbdd.runtime.progress`)."""
        self.arrivals: deque[Message] | None = None
        """Every message any client receives, as it arrives, once :meth:`feed_arrivals` asked.

        Appended on the loop, drained by one reader on another thread (the
        wire learner: it learns the secrets the wire revealed without a hop);
        ``deque`` appends and pops are atomic.
        """
        self.changes = 0
        """How many times a client changed (a message, ping, pong or close arrived).

        Only ever grows, on the loop thread. Another thread may read it to learn
        that nothing arrived since its last look and skip a hop to the loop; it
        is never a verdict (what arrived is read on the loop).
        """

    # -- lookup ---------------------------------------------------------------

    def get(self, name: str) -> Client:
        """The client called ``name``; :class:`UnknownClient` if there is none."""
        try:
            return self.clients[name]
        except KeyError:
            raise UnknownClient(name, list(self.clients)) from None

    def names(self) -> list[str]:
        """Client names in connection order."""
        return list(self.clients)

    def mark_trigger(self, at: float) -> None:
        """Record the time of the scenario's latest send/publish/HTTP request."""
        self.last_trigger = at

    # -- connections -------------------------------------------------------------

    async def connect(self, name: str, request: ConnectRequest) -> Client:
        """Connect ``name`` (closing any earlier connection of that name).

        The client is registered before the attempt, whatever its outcome,
        so ``get(name).result`` tells what happened. A new connection of a
        known client keeps its history: received and unconsumed messages and
        the transcript of every earlier connection.
        """
        old = self.clients.pop(name, None)
        if old is not None:
            await old.shutdown()
        factory = self.transports.get(request.transport)
        transport = factory(request, name) if factory is not None else None
        client = Client(name, request, on_change=self._notify, history=old, transport=transport)
        client.arrivals = self.arrivals
        self.clients[name] = client
        try:
            await client.open()
        except BaseException:
            # A usage/config mistake or a cancelled connect: forget the attempt.
            if self.clients.get(name) is client:
                del self.clients[name]
                if old is not None:
                    self.clients[name] = old
            raise
        return client

    async def send_text(self, name: str, text: str) -> float:
        """Send a text frame from ``name``; marks the trigger; returns the send time."""
        return await self._send(name, lambda client: client.send_text(text))

    async def send_binary(self, name: str, data: bytes) -> float:
        """Send a binary frame from ``name``; marks the trigger; returns the send time."""
        return await self._send(name, lambda client: client.send_binary(data))

    async def send_ping(self, name: str) -> float:
        """Send a protocol ping from ``name``; marks the trigger; returns the send time."""
        return await self._send(name, lambda client: client.send_ping())

    @staticmethod
    def send_duration(frames: Sequence[object], rate: float | None) -> float:
        """Seconds :meth:`send_many` spends pacing ``frames`` at ``rate`` per second.

        Frame ``i`` leaves ``i / rate`` s after the first: 0.0 without a rate.
        """
        return (len(frames) - 1) / rate if rate and frames else 0.0

    async def send_value(self, name: str, value: Any) -> float:
        """Send ``value`` in the client's codec (JSON text by default); the trigger."""
        at = await self.get(name).send_value(value)
        self.last_trigger = at
        return at

    async def send_many_values(
        self, name: str, values: Sequence[Any], rate: float | None
    ) -> list[float]:
        """:meth:`send_many` of ``values``, each encoded in the client's codec."""
        client = self.get(name)
        return await self.send_many(name, [client.encode(v) for v in values], rate)

    async def send_many(
        self, name: str, frames: Sequence[str | bytes], rate: float | None
    ) -> list[float]:
        """Send text ``frames`` in order, ``rate`` per second (None: back to back).

        Frame ``i`` leaves at ``start + i / rate`` (no drift). Returns each send
        time; the trigger is the last. The whole run is bounded by its paced
        duration plus ``send_timeout``.
        """
        client = self.get(name)
        if rate is not None and rate <= 0:
            raise UsageError(f"the send rate must be above 0 per second, got {rate}")
        loop = asyncio.get_running_loop()
        duration = self.send_duration(frames, rate)
        sent: list[float] = []
        progress = self.progress
        progress.restart()
        verb = f"client {name} sending"
        try:
            async with asyncio.timeout(duration + self.send_timeout):
                start = loop.time()
                for i, frame in enumerate(frames):
                    if rate is not None and i:
                        delay = start + i / rate - loop.time()
                        if delay > 0:
                            await asyncio.sleep(delay)
                    sent.append(await client.send_frame(frame))
                    self.last_trigger = sent[-1]
                    progress.update(verb, len(sent), len(frames))
        except TimeoutError:
            raise ExpectationFailed(
                f"client {name} sent only {len(sent)} of {len(frames)} messages within "
                f"{duration + self.send_timeout:g} s: the server is not reading fast enough"
            ) from None
        finally:
            progress.finish()
        return sent

    def last_ping_sent(self, name: str) -> float | None:
        """When client ``name`` last sent a protocol ping (None if never)."""
        return self.get(name).last_ping_sent

    async def _send(self, name: str, make: Callable[[Client], Coroutine[Any, Any, float]]) -> float:
        """Send what ``make(client)`` sends from ``name``, bounded; mark it as the trigger."""
        client = self.get(name)
        at = await self._bounded_send(client, make(client))
        self.mark_trigger(at)
        return at

    async def _bounded_send(self, client: Client, send: Coroutine[Any, Any, float]) -> float:
        try:
            async with asyncio.timeout(self.send_timeout):
                return await send
        except TimeoutError:
            raise ExpectationFailed(
                f"client {client.name} could not send within {self.send_timeout:g} s: "
                "the server is not reading (the connection's write buffer stayed full)"
            ) from None

    # -- waiting --------------------------------------------------------------------

    async def wait(
        self,
        name: str,
        probe: Callable[[Client], T | None],
        timeout: float,  # noqa: ASYNC109 - expiry is a result (None), not an error
        until: float | None = None,
    ) -> T | None:
        """Run ``probe(client)`` now and after every change to it (see :meth:`Client.wait`)."""
        return await self.get(name).wait(probe, timeout, until)

    async def wait_all(
        self,
        probe: Callable[[Mapping[str, Client]], T | None],
        timeout: float,  # noqa: ASYNC109 - expiry is a result (None), not an error
    ) -> T | None:
        """Run ``probe(clients)`` now and after every change to any client."""
        return await wait_for_change(self._waiters, lambda: probe(self.clients), timeout)

    def feed_arrivals(self) -> deque[Message]:
        """The feed of :attr:`arrivals` (made by the first call; later clients join it)."""
        if self.arrivals is None:
            self.arrivals = deque()
            for client in self.clients.values():
                client.arrivals = self.arrivals
        return self.arrivals

    def _notify(self) -> None:
        self.changes += 1
        if self._waiters:
            wake(self._waiters)

    def add_crowd(self, crowd: Crowd) -> Crowd:
        """Register ``crowd`` so that :meth:`reset` closes it; returns it."""
        self.crowds.append(crowd)
        return crowd

    # -- tasks and reset ---------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, T], name: str | None = None) -> asyncio.Task[T]:
        """Start a helper task that :meth:`reset` will cancel (crowds, profiles)."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def reset(self, before: Callable[[Mapping[str, Client]], T] | None = None) -> T | None:
        """Close every client and crowd concurrently (bounded), cancel every task, clear state.

        Safe whatever failed before: never raises but what ``before`` raised.
        Clients that do not finish their closing handshake within
        ``reset_timeout`` are aborted. ``before(clients)`` runs first and its
        result is returned (the scenario's records, taken in the same hop).
        """
        taken: T | None = None
        problem: Exception | None = None
        if before is not None:
            try:
                taken = before(self.clients)
            except Exception as exc:  # reset anyway, then say what went wrong
                problem = exc
        await self._reset()
        if problem is not None:
            raise problem
        return taken

    async def _reset(self) -> None:
        tasks = list(self._tasks)
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=self.reset_timeout)
        clients = list(self.clients.values())
        self.clients.clear()
        crowds, self.crowds = self.crowds, []
        self.last_trigger = None
        if clients or crowds:
            loop = asyncio.get_running_loop()
            closing = [
                loop.create_task(c.shutdown(), name=f"wsbdd-reset-{c.name}") for c in clients
            ]
            closing += [loop.create_task(c.close(), name=f"wsbdd-reset-{c!r}") for c in crowds]
            _done, pending = await asyncio.wait(closing, timeout=self.reset_timeout)
            for task in pending:
                task.cancel()
            for client in clients:
                client.abort()
            for crowd in crowds:
                crowd.abort()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
            for task in closing:
                if task.done() and not task.cancelled():
                    task.exception()  # retrieved: no "never retrieved" noise
        self._notify()
