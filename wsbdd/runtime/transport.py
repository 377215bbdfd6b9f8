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
disconnect carries its reason).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol

from wsbdd.core.records import CloseInfo, ConnectResult

__all__ = ["ControlKind", "Transport", "TransportEvents", "TransportKind"]

TransportKind = Literal["websocket", "sse", "socketio", "fake"]
"""Which kind of connection a transport opens (a profile's ``transport`` key)."""

ControlKind = Literal["ping", "pong"]
"""Protocol traffic that is shown in the transcript but is never a message."""


class TransportEvents(Protocol):
    """What a transport reports about its connection, on the loop thread."""

    def on_message(
        self, data: str | bytes, at: float, meta: Mapping[str, Any] | None = None
    ) -> None:
        """A message arrived at ``at`` (its bytes' arrival time)."""

    def on_control(self, kind: ControlKind, at: float, data: bytes = b"") -> None:
        """A protocol ping or pong arrived at ``at`` (never a message)."""

    def on_closed(self, info: CloseInfo) -> None:
        """The connection ended (once): who ended it, the code and reason."""


class Transport(Protocol):
    """One connection of one kind; every method runs on the loop thread."""

    kind: TransportKind

    async def open(self, events: TransportEvents) -> ConnectResult:
        """Open the connection; the result says whether it opened and why not."""

    async def send_text(self, text: str) -> float:
        """Send one text message; returns the send time (stamped just before the write)."""

    async def send_binary(self, data: bytes) -> float:
        """Send one binary message; returns the send time."""

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close cleanly (bounded by the transport's close timeout, then aborted)."""

    def abort(self) -> None:
        """Drop the connection at once, without a closing handshake."""
