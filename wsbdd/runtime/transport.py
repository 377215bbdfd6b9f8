"""The transport seam: how one kind of connection (WebSocket, SSE, Socket.IO, a fake) plugs in.

A :class:`Transport` opens one connection and reports everything it observes to
the :class:`TransportEvents` it was given (the :class:`~wsbdd.runtime.client.Client`
that owns it: inbox, history, transcript, waiters). Everything runs on the run's
loop thread. A transport stamps each arrival with :func:`wsbdd.core.records.now`
at the moment its bytes arrive (or as close to it as its library allows) and
passes that stamp along: the client never stamps.

Messages are what a step receives: a WebSocket data frame, an SSE event's data,
a Socket.IO event's payload (its first argument, or every argument as a JSON
list when there are several). ``meta`` carries what else the transport knows
of a message (``event``, ``id``, ``retry`` for SSE; ``event``, ``namespace`` for
Socket.IO) and is shown in the transcript. Protocol-level traffic that is not a
message (WebSocket ping/pong, Engine.IO ping/pong) is reported with
:meth:`TransportEvents.on_control` and never counted as a message.

The end of a connection is always one :class:`~wsbdd.core.records.CloseInfo`
(an SSE stream the server ends reads like a server close; a Socket.IO
disconnect carries its reason), reported once with
:meth:`TransportEvents.on_closed`, after every message that arrived before it.

Why the protocol has more than open/send/close:

* ``drop()`` and ``shutdown()`` are async and return once the end has been
  reported (bounded): only the transport knows what "the connection is gone"
  means for its library (websockets' ``wait_closed``, an HTTP stream's end), and
  a step that drops a connection expects the close to be known when it returns.
* A send on a connection that ended raises :class:`TransportClosed` after the
  end was reported, so the client can say how it ended.
* Protocol pings, not answering pings and stopping reading (back-pressure) are
  WebSocket capabilities: they form the optional :class:`ReadControl` and
  :class:`PingControl` protocols. A client whose transport lacks one refuses the
  step with a clear :class:`~wsbdd.core.exceptions.UsageError` instead of
  pretending (an SSE stream has no protocol ping to send).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from wsbdd.core.records import CloseInfo, ConnectResult

if TYPE_CHECKING:
    from .request import ConnectRequest

__all__ = [
    "ControlKind",
    "PingControl",
    "ReadControl",
    "Transport",
    "TransportClosed",
    "TransportEvents",
    "TransportFactory",
    "TransportKind",
]

TransportKind = Literal["websocket", "sse", "socketio", "fake"]
"""Which kind of connection a transport opens (a profile's ``transport`` key)."""

ControlKind = Literal["ping", "pong"]
"""Protocol traffic that is shown in the transcript but is never a message."""


class TransportClosed(Exception):
    """A send found the connection ended; the end has already been reported."""


class TransportEvents(Protocol):
    """What a transport reports about its connection, on the loop thread."""

    def on_message(
        self, data: str | bytes, at: float, meta: Mapping[str, Any] | None = None
    ) -> None:
        """A message arrived at ``at`` (its bytes' arrival time)."""

    def on_control(self, kind: ControlKind, at: float, data: bytes = b"") -> None:
        """A protocol ping or pong arrived at ``at`` (never a message)."""

    def on_closed(self, info: CloseInfo, details: Mapping[str, Any] | None = None) -> None:
        """The connection ended (once): who ended it, the code and reason.

        ``details`` go to the transcript's close event (what the client sent,
        the library's cause).
        """

    def on_error(self, text: str, at: float) -> None:
        """Something went wrong that the transcript should show (a reader failure).

        The transport then ends the connection and reports it with :meth:`on_closed`.
        """


class Transport(Protocol):
    """One connection of one kind; every method runs on the loop thread."""

    kind: TransportKind

    @property
    def is_open(self) -> bool:
        """True while the connection is open (it opened and has not ended)."""

    async def open(self, events: TransportEvents) -> ConnectResult:
        """Open the connection; the result says whether it opened and why not.

        Never raises for server behaviour; a :class:`~wsbdd.core.exceptions.UsageError`
        for an unusable URL. The handshake in the result is already redacted.
        """

    async def send_text(self, text: str) -> float:
        """Send one text message; returns the send time (stamped just before the write)."""

    async def send_binary(self, data: bytes) -> float:
        """Send one binary message; returns the send time."""

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close cleanly (bounded by the transport's close timeout, then aborted).

        Returns once the end has been reported (or its bound passed).
        """

    async def drop(self) -> None:
        """Cut the connection without a closing handshake; returns once reported (bounded)."""

    async def shutdown(self) -> None:
        """End the connection whatever its state; never raises, leaves no task behind."""

    def abort(self) -> None:
        """Last resort (synchronous): cut the connection and stop every task at once."""


@runtime_checkable
class PingControl(Protocol):
    """Protocol pings (WebSocket): send one, stop answering the server's."""

    async def send_ping(self, data: bytes | None) -> float:
        """Send a protocol ping (None: the transport picks a payload); returns its send time."""

    @property
    def answer_pings(self) -> bool:
        """Whether the server's protocol pings are answered."""

    def set_answer_pings(self, answer: bool) -> None:
        """Answer (True) or ignore (False) the server's pings from now on."""


@runtime_checkable
class ReadControl(Protocol):
    """Stopping and resuming reading (back-pressure on the server)."""

    @property
    def reading(self) -> bool:
        """False between ``stop_reading()`` and ``resume_reading()``."""

    async def stop_reading(self) -> None:
        """Stop delivering messages and let the socket fill (they keep their stamps)."""

    async def resume_reading(self) -> None:
        """Deliver what was held back, then go on reading."""


TransportFactory = Callable[["ConnectRequest", str], Transport]
"""Makes the transport of one connection: ``(request, client name) -> Transport``."""
