"""Crowd members: one lightweight connection each, and what crowd operations report.

See :mod:`wsbdd.runtime.crowd` for the crowd itself (which re-exports all of
these). A :class:`Member` is a small ``__slots__`` record plus a
:class:`CrowdConnection`, a websockets asyncio ``ClientConnection`` whose data
frames never enter websockets' receive queue:
:meth:`CrowdConnection.process_event` hands each complete message straight to
its member, stamped when its bytes were read. A :class:`CrowdExchange` is a
frame every member sends once connected (or a welcome it awaits), a
:class:`CrowdReport` the outcome of one operation.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from websockets.client import ClientProtocol
from websockets.frames import BINARY, CONT, TEXT, Frame
from websockets.protocol import Event, State

from wsbdd.core.close_texts import member_lost
from wsbdd.core.records import CloseInfo

from .transports.ws_connection import StampedConnection, close_soon

__all__ = [
    "CrowdConnection",
    "CrowdExchange",
    "CrowdReport",
    "CrowdView",
    "Member",
    "describe_reasons",
]

_EXCERPT = 200
"""Characters of a message quoted in a failure reason."""


class CrowdView(Protocol):
    """What a member reads and updates of its crowd (:class:`wsbdd.runtime.crowd.Crowd`)."""

    received: int
    lost: int
    keep: int
    watching: tuple[CrowdExchange, ...]
    waiters: list[asyncio.Future[None]]

    def notify(self) -> None:
        """Wake whoever waits on the crowd."""


@dataclass(frozen=True, slots=True)
class CrowdExchange:
    """A frame every member sends once connected, and how to recognise the answer.

    ``ack`` / ``reject`` test a parsed JSON message (True: this is it). With
    no ``ack`` the exchange is confirmed when no rejection arrives within the
    crowd's ``confirm_window``. ``what`` names it in failure reasons
    ("subscription to room:lobby"), ``expected`` describes the ack for the
    reason of a timeout (``{"type": "subscribed"}``).
    """

    text: str
    what: str
    ack: Callable[[Any], bool] | None = None
    reject: Callable[[Any], bool] | None = None
    expected: str = ""
    patience: float | None = None
    """For an answer the server sends unasked (``text`` empty: a welcome): how long
    it is awaited; its absence then is no failure, a close or a rejection is."""


@dataclass(frozen=True, slots=True)
class CrowdReport:
    """The outcome of one crowd operation.

    ``failures`` counts each failure reason ("HTTP 503 Service Unavailable",
    "timed out after 5 s", "closed by the server with code 4401 ..."),
    ``attempted`` the members or cycles tried; times are ``wsbdd.core.records.now()``.
    """

    operation: str
    attempted: int
    failures: Counter[str] = field(default_factory=Counter)
    started_at: float = 0.0
    finished_at: float = 0.0

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def succeeded(self) -> int:
        return self.attempted - self.failed

    @property
    def elapsed(self) -> float:
        return self.finished_at - self.started_at

    @property
    def rate(self) -> float:
        """Attempts per second over the whole operation."""
        return self.attempted / self.elapsed if self.elapsed > 0 else 0.0

    def describe_failures(self, limit: int = 3) -> str:
        """``"35 × HTTP 503 Service Unavailable, 2 × timed out after 5 s"`` (most common first)."""
        return describe_reasons(self.failures, limit)


def describe_reasons(reasons: Counter[str], limit: int = 3) -> str:
    """The ``limit`` most common reasons with their counts, then how many others."""
    common = reasons.most_common()
    shown = ", ".join(f"{count} × {reason}" for reason, count in common[:limit])
    rest = sum(count for _, count in common[limit:])
    if rest:
        shown += f" and {rest} more ({len(common) - limit} other reasons)"
    return shown


class Member:
    """One crowd member: its current connection and what became of it.

    ``failure`` is why its latest attempt failed (handshake, ack), or None;
    ``received`` counts the messages it received (``greeted`` of them by the
    time its greeting completed), ``last_at`` stamps the latest;
    ``opened_at`` is when its latest handshake succeeded; ``inbox`` keeps
    the latest ``crowd.keep`` messages received after the greeting, each with
    its arrival stamp (None until the first), for content and latency checks.
    """

    __slots__ = (
        "closing",
        "connection",
        "crowd",
        "expect",
        "failure",
        "greeted",
        "inbox",
        "index",
        "last_at",
        "opened_at",
        "received",
        "waiter",
    )

    def __init__(self, index: int, crowd: CrowdView) -> None:
        self.index = index
        self.crowd = crowd
        self.connection: CrowdConnection | None = None
        self.opened_at: float | None = None
        self.failure: str | None = None
        self.received = 0
        self.greeted = 0
        self.last_at: float | None = None
        self.inbox: list[tuple[float, bytes]] | None = None
        self.expect: CrowdExchange | None = None
        self.waiter: asyncio.Future[str | None] | None = None
        self.closing = False

    def __repr__(self) -> str:
        return f"<Member {self.index} {self.problem() or 'connected'}, {self.received} received>"

    @property
    def since_greeting(self) -> int:
        """Messages received since its greeting (auth, subscribe acks) completed."""
        return self.received - self.greeted

    @property
    def connected(self) -> bool:
        """Its latest attempt succeeded and the connection is still open."""
        conn = self.connection
        return self.failure is None and conn is not None and conn.protocol.state is State.OPEN

    def problem(self) -> str | None:
        """Why the member is not connected (None when it is)."""
        if self.failure is not None:
            return self.failure
        conn = self.connection
        if conn is None:
            return "not connected yet"
        if conn.protocol.state is State.OPEN:
            return None
        return self.close_phrase()

    def close_phrase(self) -> str:
        """How the connection ended: ``closed by the server with code 4401 "unauthorized"``."""
        conn = self.connection
        if conn is None:
            return "never connected"
        proto = conn.protocol
        rcvd = proto.close_rcvd
        sent = proto.close_sent
        if rcvd is None and sent is not None and proto.parser_exc is not None and not self.closing:
            # wsbdd failed it (the server broke the protocol): our frame says why.
            return CloseInfo(int(sent.code), sent.reason, "client", True, 0.0).describe()
        if rcvd is None:
            return member_lost(self.closing)
        by: Literal["client", "server"] = (
            "client" if self.closing or proto.close_rcvd_then_sent is False else "server"
        )
        return CloseInfo(int(rcvd.code), rcvd.reason, by, True, 0.0).describe()

    # -- called by CrowdConnection on the loop thread ---------------------------------

    def on_message(self, at: float, data: bytes) -> None:
        self.received += 1
        self.last_at = at
        crowd = self.crowd
        crowd.received += 1
        if self.expect is not None or crowd.watching:
            self._check(data)
        elif crowd.keep:
            inbox = self.inbox
            if inbox is None:
                self.inbox = [(at, data)]
            else:
                inbox.append((at, data))
                if len(inbox) > crowd.keep:
                    del inbox[0]
        if crowd.waiters:
            crowd.notify()

    def _check(self, data: bytes) -> None:
        try:
            payload = json.loads(data)
        except ValueError:
            return
        exchange = self.expect
        if exchange is not None:
            if exchange.ack is not None and exchange.ack(payload):
                self._answer(None)
                return
            if exchange.reject is not None and exchange.reject(payload):
                self._answer(f"{exchange.what} was rejected: {_excerpt(data)}")
                return
        for watched in self.crowd.watching:
            if watched.reject is not None and watched.reject(payload) and self.failure is None:
                self.failure = f"{watched.what} was rejected: {_excerpt(data)}"

    def _answer(self, reason: str | None) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(reason)

    def on_lost(self, conn: CrowdConnection) -> None:
        if conn is not self.connection:
            return
        if self.expect is not None:
            # A welcome (nothing sent) is answered by the close itself.
            why = "" if not self.expect.text else f" before its {self.expect.what} was confirmed"
            self._answer(self.close_phrase() + why)
        crowd = self.crowd
        crowd.lost += 1
        if crowd.waiters:
            crowd.notify()


class CrowdConnection(StampedConnection):
    """A client connection that hands every data message to its :class:`Member`.

    Data frames bypass websockets' receive queue (no ``recv()``, no reader
    task); fragmented messages are reassembled here. Protocol pings are still
    answered by websockets, pongs and close frames handled as usual.
    """

    # Slots, not instance-dict entries: two more keys would make websockets'
    # large attribute dict grow by a whole table (about 1 KiB per connection).
    # The arrival stamp (``_stamp``) is StampedConnection's slot.
    __slots__ = ("member",)
    _fragments: list[bytes] | None = None

    primed = False
    """Whether one instance got through ``connection_made`` (see :meth:`Crowd._operation`)."""

    def __init__(self, protocol: ClientProtocol, *, member: Member, **kwargs: Any) -> None:
        self.member = member
        super().__init__(protocol, **kwargs)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if not CrowdConnection.primed:
            CrowdConnection.primed = True

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # stamps the arrival
        if self.protocol.parser_exc is not None and not self.transport.is_closing():
            # The server broke the protocol: websockets sent its close frame
            # (1002...) and would wait for the server; leave at once instead.
            close_soon(self)

    def process_event(self, event: Event) -> None:
        if self.response is None or not isinstance(event, Frame):
            super().process_event(event)  # the handshake response
            return
        opcode = event.opcode
        if opcode is TEXT or opcode is BINARY:
            if event.fin:
                self.member.on_message(self._stamp, bytes(event.data))
            else:
                self._fragments = [bytes(event.data)]
        elif opcode is CONT:
            fragments = self._fragments
            if fragments is None:  # pragma: no cover - the protocol forbids it
                return
            fragments.append(bytes(event.data))
            if event.fin:
                self._fragments = None
                self.member.on_message(self._stamp, b"".join(fragments))
        else:
            super().process_event(event)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.member.on_lost(self)


def _excerpt(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"
