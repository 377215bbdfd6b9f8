"""Crowds: thousands of lightweight WebSocket clients in one process, on the run's loop.

A :class:`Crowd` holds ``size`` anonymous members that all connect with one
:class:`~wsbdd.runtime.ConnectRequest` (same URL, token, subprotocols). Its
operations run on the loop thread (:class:`wsbdd.runtime.LoopThread`):

* :meth:`Crowd.open` opens every member, at most ``concurrency`` at a time,
  each optionally sending frames (auth, subscribe) and awaiting their ack;
* :meth:`Crowd.reconnect` closes every member, then reopens them all at once
  (no bound: a reconnect storm) and sends the same frames again;
* :meth:`Crowd.wait_connected` waits (bounded) until the latest operation is
  over and tells which members are not connected;
* :meth:`Crowd.cycle` opens and closes ``total`` short-lived connections,
  ``concurrency`` at a time, counting failures with their reasons;
* :meth:`Crowd.close` closes everything, concurrently and bounded (also done
  by ``ClientManager.reset()`` at the end of every scenario).

Members are lean so that 10,000 fit in one process: a member is a small
``__slots__`` record plus a :class:`CrowdConnection`, a websockets asyncio
``ClientConnection`` whose data frames never enter websockets' receive
queue. Instead :meth:`CrowdConnection.process_event` hands each complete
message straight to its member, with the arrival stamp taken when its bytes
were read, so there is **no reader task per member** and nothing ever piles
up in memory. What a member records of the messages it receives: their
number and the arrival time of the latest (``received``, ``last_at``). The
messages themselves are only looked at (parsed as JSON) while the member
awaits an acknowledgement (auth or subscribe ack, or a rejection) or while
the crowd watches for rejections of subscriptions the profile does not
acknowledge. After its greeting a member keeps its latest ``keep`` messages
(bytes and arrival stamp, :data:`DEFAULT_KEEP`), parsed only when a content
or latency step looks at them. Named clients (:class:`wsbdd.runtime.Client`) are
the ones with full transcripts.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from websockets.exceptions import InvalidURI
from websockets.protocol import State
from websockets.uri import parse_uri

from wsbdd.core.exceptions import UsageError
from wsbdd.core.records import now

from ._crowd_members import (
    CrowdConnection,
    CrowdExchange,
    CrowdReport,
    Member,
    describe_reasons,
)
from ._fd_limits import ensure_fd_limit, raise_fd_limit
from ._member_io import close_member, close_members, closed_with_error, open_member
from ._sources import source_address
from ._wakeup import wait_for_change, wake
from .progress import Progress, ticking
from .request import ConnectRequest
from .transports.ws_options import connect_kwargs

__all__ = [
    "CLOSE_CONCURRENCY",
    "CLOSE_SETTLE",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_KEEP",
    "Crowd",
    "CrowdConnection",
    "CrowdExchange",
    "CrowdReport",
    "Member",
    "closing_bound",
    "describe_reasons",
    "ensure_fd_limit",
    "raise_fd_limit",
]

DEFAULT_KEEP = 8
"""Messages each member keeps (the latest, with arrival stamps) for content and latency checks."""

DEFAULT_CONCURRENCY = 200
"""Connections opened at a time when a step does not say ("200 at a time")."""

CLOSE_CONCURRENCY = 1000
"""Members closed at a time by :meth:`Crowd.close`."""

CLOSE_SETTLE = 1.0
"""Seconds a member's close may take beyond its close timeout before it is aborted."""


class Crowd:
    """``size`` anonymous members connecting with ``request`` (see the module docstring).

    ``greeting``: frames every member sends once connected (auth, subscribe),
    each awaited for ``ack_timeout`` seconds; ``confirm_window``: how long
    rejections are watched for exchanges without an ack; ``progress`` draws
    the terminal line (None: silent).
    """

    def __init__(
        self,
        request: ConnectRequest,
        size: int,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        greeting: Sequence[CrowdExchange] = (),
        ack_timeout: float = 2.0,
        confirm_window: float = 0.3,
        settle: float = 0.0,
        progress: Progress | None = None,
        label: str = "crowd",
        keep: int = DEFAULT_KEEP,
        first_index: int = 0,
        whole_size: int | None = None,
    ) -> None:
        if size < 0:
            raise UsageError(f"a crowd needs a positive number of clients, got {size}")
        if concurrency < 1:
            raise UsageError(f"at least 1 connection must open at a time, got {concurrency}")
        try:
            parse_uri(request.url)
        except InvalidURI as exc:
            raise UsageError(f"the crowd cannot connect: {exc}") from None
        self.request = request
        self.concurrency = concurrency
        self.greeting = tuple(greeting)
        self.ack_timeout = ack_timeout
        self.confirm_window = confirm_window
        self.settle = settle
        """Seconds members must stay open after connecting when no welcome confirms them."""
        self.progress = progress
        self.label = label
        self.members = [Member(i, self) for i in range(size)]
        self.first_index = first_index
        """Where this crowd's members start in the whole crowd (a Locust worker's slice)."""
        self.whole_size = size if whole_size is None else whole_size
        self.received = 0
        """Messages received by every member, in all."""
        self.lost = 0
        """Connections of members that ended, in all."""
        self.keep = max(0, keep)
        """Messages each member keeps after its greeting (the latest; 0: none)."""
        self.watching: tuple[CrowdExchange, ...] = ()
        self.started_at = now()
        """When the latest operation started."""
        self.last_report: CrowdReport | None = None
        self._transient: set[Member] = set()
        self.waiters: list[asyncio.Future[None]] = []
        """Futures woken on every message and every lost connection (see :meth:`wait_until`)."""
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()
        # The same for every member: only create_connection (bound to the
        # member) is added per connection.
        self._connect_kwargs = connect_kwargs(request, None, request.ssl_context())

    def __repr__(self) -> str:
        return f"<Crowd {self.label} of {self.size}>"

    @property
    def size(self) -> int:
        return len(self.members)

    # -- operations ---------------------------------------------------------------------

    async def open(self, rate: float | None = None) -> CrowdReport:
        """Connect every member (``concurrency`` at a time) and run the greeting.

        With ``rate``, member ``i`` starts no earlier than ``i / rate`` seconds
        after the first (a ramp-up), still at most ``concurrency`` at a time.
        """
        if rate is not None and rate <= 0:
            raise UsageError(f"the connection rate must be above 0 per second, got {rate}")
        ensure_fd_limit(self.size)
        return await self._operation(
            "connect",
            self.members,
            self.concurrency,
            "connecting",
            self._open_member,
            rate=rate,
            confirm=True,
        )

    async def reconnect(self) -> CrowdReport:
        """Close every member, then reopen all of them at once and greet again."""
        self.started_at = now()
        await self._close_members(self.members, verb="disconnecting")
        ensure_fd_limit(self.size)
        return await self._operation(
            "reconnect",
            self.members,
            max(1, self.size),
            "reconnecting",
            self._open_member,
            started_at=self.started_at,
            confirm=True,
        )

    async def cycle(self, total: int, concurrency: int | None = None) -> CrowdReport:
        """Open and close ``total`` short-lived connections, ``concurrency`` at a time.

        A cycle fails when its handshake (or greeting) fails; the reason is counted.
        """
        width = concurrency or self.concurrency
        if width < 1:
            raise UsageError(f"at least 1 connection must open at a time, got {width}")
        ensure_fd_limit(min(width, total))
        counter = itertools.count()

        async def one(_: int) -> str | None:
            member = Member(next(counter), self)
            self._transient.add(member)
            try:
                failure = await self._open_member(member)
                if member.connection is not None:
                    await self._close_member(member)
                # A cycle the server closed with an error code (4401...) failed,
                # whoever's close frame went first.
                return failure or closed_with_error(member)
            finally:
                self._transient.discard(member)

        return await self._operation(
            "connect and disconnect", range(total), width, "connecting and disconnecting", one
        )

    async def wait_connected(self, limit: float) -> list[Member]:
        """Wait until the running operation ends (at most ``limit`` s after it started).

        Returns the members that are not connected then (empty: all are).
        """
        if self._busy:
            remaining = self.started_at + limit - now()
            if remaining > 0:
                try:
                    async with asyncio.timeout(remaining):
                        await self._idle.wait()
                except TimeoutError:
                    pass
        return [m for m in self.members if not m.connected]

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109 - expiry is a result (False), not an error
        done: Callable[[], int] | None = None,
    ) -> bool:
        """Wait until ``predicate()`` holds, checked now and after every message or loss.

        Returns False when ``timeout`` seconds passed first. ``predicate`` runs
        on the loop thread (read ``received``, ``lost``, the members...);
        ``done()`` (members satisfied so far) feeds the progress line.
        """
        progress = self.progress if done is not None else None

        def check() -> bool | None:
            met = predicate()
            if progress is not None and done is not None:
                progress.update("receiving", done(), self.size)
            return True if met else None

        if progress is not None:
            progress.restart()
        try:
            async with ticking(progress):
                met = await wait_for_change(self.waiters, check, timeout)
        finally:
            if progress is not None:
                progress.finish()
        # One last look: the deadline may have cut off a wake-up already due.
        return met is not None or predicate()

    def notify(self) -> None:
        """Wake every :meth:`wait_until` (called on messages and losses)."""
        wake(self.waiters)

    async def close(self) -> None:
        """Close every connection (members and cycles in flight); bounded, never raises."""
        members = [m for m in self.members if m.connection is not None]
        members.extend(self._transient)
        self.watching = ()
        with contextlib.suppress(Exception):  # closing must never fail the cleanup
            await self._close_members(members, verb="closing")
        self.abort()

    def abort(self) -> None:
        """Last resort (synchronous): abort every transport still open."""
        for member in itertools.chain(self.members, list(self._transient)):
            conn = member.connection
            if conn is not None and conn.protocol.state is not State.CLOSED:
                conn.transport.abort()

    # -- worst cases (for the facade's bounds) -----------------------------------------

    def open_bound(self, count: int, concurrency: int) -> float:
        """Seconds :meth:`open` of ``count`` members, ``concurrency`` at a time, may take.

        Every wave waits at most the open timeout plus each greeting's ack
        timeout; then the confirm window. Without a ramp-up (add ``count / rate``).
        """
        waves = math.ceil(count / concurrency)
        return waves * self._greeted_open_bound() + self.confirm_window

    def reconnect_bound(self) -> float:
        """Seconds :meth:`reconnect` may take: close everyone, reopen all at once, confirm."""
        return self.close_bound() + self._greeted_open_bound() + self.confirm_window

    def cycle_bound(self, total: int, concurrency: int) -> float:
        """Seconds :meth:`cycle` of ``total`` connections, ``concurrency`` at a time, may take."""
        waves = math.ceil(total / concurrency)
        return waves * (self._greeted_open_bound() + self._close_member_bound())

    def close_bound(self) -> float:
        """Seconds :meth:`close` of every member may take (see :func:`closing_bound`)."""
        return closing_bound([self])

    def _greeted_open_bound(self) -> float:
        return self.request.open_timeout + len(self.greeting) * self.ack_timeout

    def _close_member_bound(self) -> float:
        return self.request.close_timeout + CLOSE_SETTLE

    # -- internals ----------------------------------------------------------------------

    async def _operation(
        self,
        name: str,
        items: Iterable[Any],
        concurrency: int,
        verb: str,
        work: Callable[[Any], Awaitable[str | None]],
        *,
        started_at: float | None = None,
        rate: float | None = None,
        confirm: bool = False,
    ) -> CrowdReport:
        """Run ``work`` on every item, ``concurrency`` at a time; count the failures.

        ``confirm`` (members that stay connected: open, reconnect): then watch
        for rejections of exchanges without an ack during the operation and
        for ``confirm_window`` after it, and count the members' failures.
        """
        todo = list(items)
        failures: Counter[str] = Counter()
        progress = self.progress
        done = 0
        self._busy += 1
        self._idle.clear()
        start = now() if started_at is None else started_at
        self.started_at = start
        if progress is not None:
            progress.restart()
        watched: tuple[CrowdExchange, ...] = ()
        if confirm:
            watched = tuple(g for g in self.greeting if g.ack is None and g.reject is not None)
            self.watching = watched
        source = enumerate(todo)

        async def worker(limit: int | None = None) -> None:
            nonlocal done
            for position, item in itertools.islice(source, limit):
                if rate is not None:
                    delay = start + position / rate - now()
                    if delay > 0:
                        await asyncio.sleep(delay)
                failure = await work(item)
                done += 1
                if failure is not None:
                    failures[failure] += 1
                if progress is not None:
                    progress.update(verb, done, len(todo), sum(failures.values()))

        try:
            if not CrowdConnection.primed:
                # The process's first crowd connection opens alone. CPython
                # shares one attribute table between instances of a class only
                # if the first instance is complete before the others start
                # (else each connection carries its own, about 1.3 KiB more).
                await worker(1)
            async with ticking(progress):
                await asyncio.gather(*(worker() for _ in range(min(concurrency, len(todo)))))
            if confirm and todo:
                # Exchanges without an ack are confirmed when no rejection
                # arrives within the profile's window (as for named clients);
                # without a welcome, members must stay open for the settle time.
                welcomed = any(g.patience is not None for g in self.greeting)
                pause = max(
                    self.confirm_window if watched else 0.0, 0.0 if welcomed else self.settle
                )
                if pause > 0:
                    await asyncio.sleep(pause)
                # "Connected" means still open: a member the server closed fails.
                failures = Counter(
                    reason for m in todo if (reason := m.failure or m.problem()) is not None
                )
        finally:
            self.watching = ()
            self._busy -= 1
            if not self._busy:
                self._idle.set()
            if progress is not None:
                progress.finish()
        report = CrowdReport(name, len(todo), failures, start, now())
        self.last_report = report
        return report

    async def _open_member(self, member: Member) -> str | None:
        """Connect one member and run the greeting; returns the failure reason or None."""
        kwargs = self._connect_kwargs
        local = source_address(self.request.url, self.first_index + member.index, self.whole_size)
        if local is not None:
            kwargs = {**kwargs, "local_addr": local}
        failure = await open_member(member, self.request, kwargs, self.greeting, self.ack_timeout)
        if self.waiters:
            self.notify()
        return failure

    async def _close_member(self, member: Member) -> None:
        await close_member(member, self._close_member_bound())

    async def _close_members(self, members: Sequence[Member], *, verb: str) -> None:
        await close_members(
            members, self._close_member_bound(), CLOSE_CONCURRENCY, self.progress, verb
        )


def closing_bound(crowds: Sequence[Crowd]) -> float:
    """Seconds closing all ``crowds`` together may take (0.0 for none).

    Their members close in waves of :data:`CLOSE_CONCURRENCY`, each member
    bounded by its close timeout plus :data:`CLOSE_SETTLE`.
    """
    if not crowds:
        return 0.0
    size = sum(crowd.size for crowd in crowds)
    wave = max(crowd._close_member_bound() for crowd in crowds)
    return math.ceil(size / CLOSE_CONCURRENCY) * wave
