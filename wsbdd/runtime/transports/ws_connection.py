"""A websockets client connection that stamps every frame the moment it arrives.

:class:`TrackedConnection` subclasses ``websockets.asyncio.client.ClientConnection``
and is passed to ``connect(create_connection=...)``. websockets calls
``data_received`` with the bytes read from the socket, parses them into frames
and hands each one to ``process_event``. We take ``now()`` at the top of
``data_received`` (the arrival of those bytes) and, in ``process_event``:

* hand a complete one-frame message straight to :attr:`TrackedConnection.deliver`
  (set while the client reads) when nothing is queued ahead of it: the step
  sees it one loop turn sooner than through ``recv()``, which would only wake
  the reader task to return it;
* otherwise append the stamp to :attr:`TrackedConnection.arrivals` for every
  complete data message (the final frame of a TEXT/BINARY message or of its
  continuation); the reader task pops one stamp each time ``recv()`` returns a
  message, so a message is timed by its arrival even when the reader is
  paused ("stops reading") or a slow step holds the facade;
* report protocol pings and pongs (with their arrival time) to the
  :class:`FrameTap`;
* remember when the server's close frame arrived.

The socket is read at most :data:`READ_CHUNK` bytes at a time (the connection
is an ``asyncio.BufferedProtocol`` reading into one buffer per loop thread;
asyncio's own reads are 256 KiB). Under a flood of small frames one 256 KiB
read is thousands of frames, parsed and recorded in one go, and every timer
waits for it: a wait's deadline fired up to 0.3 s late on a loaded machine.
A 16 KiB read is a few hundred frames, so a deadline is a few milliseconds
late at most, with the same throughput.

The sans-I/O protocol answers PING frames itself in ``Protocol.recv_frame``.
To let a client stop answering pings (heartbeat tests), the connection swaps
its protocol's class for :class:`PingControlProtocol`, a subclass that only
adds a per-connection ``answer_pings`` switch. The swap happens in
``__init__`` because websockets' ``connect()`` instantiates ``ClientProtocol``
itself and offers no hook for a protocol subclass; the subclass adds no state
but a few attributes, so the instance layout is unchanged.

When websockets *fails* the connection (the server broke the protocol: an
invalid close frame, a reserved bit, invalid UTF-8, a message too big), it
sends its close frame (1002, 1007, 1009...) and then, as a client, waits for
the server to close TCP, which a hostile server never does: the connection
would sit in CLOSING until the next call, and wsbdd makes none. The protocol
subclass records the failure (:attr:`PingControlProtocol.failure`) and the
connection closes its transport at once (after the close frame is written;
aborted if that does not finish within the close timeout), so the reader
ends and the close is reported immediately with the code wsbdd sent and why.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from websockets.asyncio.client import ClientConnection
from websockets.client import ClientProtocol
from websockets.frames import BINARY, CLOSE, CONT, PING, PONG, TEXT, Frame
from websockets.http11 import Request, Response
from websockets.protocol import Event

from wsbdd.core.records import now

__all__ = [
    "QUIET_LOGGER",
    "READ_CHUNK",
    "FrameTap",
    "PingControlProtocol",
    "StampedConnection",
    "TrackedConnection",
    "close_soon",
]

QUIET_LOGGER = logging.getLogger("wsbdd.runtime.websockets")
"""Logger handed to websockets: no propagation, so no traceback spam in runs."""
QUIET_LOGGER.propagate = False
QUIET_LOGGER.addHandler(logging.NullHandler())


class FrameTap(Protocol):
    """Receives what a :class:`TrackedConnection` observes, on the loop thread."""

    def on_handshake(self, request: Request | None, response: Response | None) -> None:
        """The opening handshake finished (successfully or not)."""

    def on_ping(self, at: float, data: bytes) -> None:
        """A protocol ping arrived at ``at``."""

    def on_pong(self, at: float, data: bytes) -> None:
        """A protocol pong arrived at ``at``."""

    def on_lost(self, at: float) -> None:
        """The TCP connection is gone (state CLOSED)."""


class PingControlProtocol(ClientProtocol):
    """``ClientProtocol`` that can stop answering protocol pings.

    With ``answer_pings`` False a PING frame is still parsed and reported as an
    event (so it is recorded) but no PONG is queued in reply.
    """

    answer_pings: bool = True
    failure: tuple[int, str] | None = None
    """The close code and reason wsbdd sent when it failed the connection (None: it did not)."""
    on_failure: Callable[[], None] | None = None

    failed: bool = False
    """Whether websockets failed the connection (the peer broke the protocol)."""

    def fail(self, code: int, reason: str = "") -> None:
        sent_before = self.close_sent
        super().fail(code, reason)
        # 1006: a network error, no close frame to send (and nothing the peer broke).
        if self.failed or code == 1006:
            return
        self.failed = True
        sent = self.close_sent
        if sent is not None and sent is not sent_before:
            # Only a close frame sent now says why (not one sent before, nor
            # none at all when the server's close had already arrived).
            self.failure = (int(sent.code), sent.reason)
        if self.on_failure is not None:
            self.on_failure()

    def recv_frame(self, frame: Frame) -> None:
        if frame.opcode is PING and not self.answer_pings:
            # Protocol.recv_frame's PING branch only queues the pong, then the
            # method ends by appending the frame to the events: do just that.
            self.events.append(frame)
            return
        super().recv_frame(frame)


READ_CHUNK = 16 * 1024
"""The most bytes one read of a client socket hands to websockets' parser."""

_read_buffers = threading.local()


def _read_buffer() -> memoryview:
    """This thread's read buffer, shared by its connections: each read is copied out at once."""
    buffer: memoryview | None = getattr(_read_buffers, "buffer", None)
    if buffer is None:
        buffer = _read_buffers.buffer = memoryview(bytearray(READ_CHUNK))
    return buffer


class StampedConnection(ClientConnection, asyncio.BufferedProtocol):
    """The one place a WebSocket arrival is stamped: ``now()`` as each read's bytes arrive.

    Every frame parsed from one ``data_received`` carries that read's stamp
    (:attr:`_stamp`); named clients (:class:`TrackedConnection`) and crowd
    members (``CrowdConnection``) both read it in ``process_event``.
    """

    # A slot, not an instance-dict entry: crowds hold thousands of connections.
    __slots__ = ("_stamp",)

    def __init__(self, protocol: ClientProtocol, **kwargs: Any) -> None:
        self._stamp = 0.0
        super().__init__(protocol, **kwargs)

    def get_buffer(self, sizehint: int) -> memoryview:
        """Where the loop reads the socket into (at most :data:`READ_CHUNK` bytes)."""
        return _read_buffer()

    def buffer_updated(self, nbytes: int) -> None:
        """The loop read ``nbytes`` into the buffer: :meth:`data_received` gets a copy."""
        self.data_received(bytes(_read_buffer()[:nbytes]))

    def data_received(self, data: bytes) -> None:
        """Stamp the arrival, then let websockets parse the bytes."""
        self._stamp = now()
        super().data_received(data)


class TrackedConnection(StampedConnection):
    """A client connection stamping frames at arrival (see the module docstring)."""

    def __init__(self, protocol: ClientProtocol, *, tap: FrameTap, **kwargs: Any) -> None:
        if type(protocol) is ClientProtocol:
            protocol.__class__ = PingControlProtocol
        super().__init__(protocol, **kwargs)
        if isinstance(protocol, PingControlProtocol):
            protocol.on_failure = self._failed
        self.tap = tap
        self.arrivals: collections.deque[float] = collections.deque()
        """Arrival time of each complete data message not yet returned by recv()."""
        self.close_rcvd_at: float | None = None
        """When the peer's close frame arrived."""
        self.lost_at: float | None = None
        """When the TCP connection was lost."""
        self.response_at: float | None = None
        """When the server's handshake response arrived (the connection opened)."""
        self.failed_at: float | None = None
        """When wsbdd failed the connection (see :attr:`PingControlProtocol.failure`)."""
        self.deliver: Callable[[str | bytes, float], None] | None = None
        """Set while the client reads: takes a message and its arrival stamp (see above)."""

    # -- switches -----------------------------------------------------------

    @property
    def answer_pings(self) -> bool:
        """Whether protocol pings are answered with pongs (default True)."""
        return isinstance(self.protocol, PingControlProtocol) and self.protocol.answer_pings

    @answer_pings.setter
    def answer_pings(self, value: bool) -> None:
        if isinstance(self.protocol, PingControlProtocol):
            self.protocol.answer_pings = value

    @property
    def failure(self) -> tuple[int, str] | None:
        """(code, reason) of the close frame wsbdd sent when it failed the connection."""
        proto = self.protocol
        return proto.failure if isinstance(proto, PingControlProtocol) else None

    def _failed(self) -> None:
        """The protocol failed the connection: close TCP at once (see the module docstring)."""
        self.failed_at = now()
        close_soon(self)

    # -- stamping -------------------------------------------------------------

    def process_event(self, event: Event) -> None:
        if isinstance(event, Frame):
            opcode = event.opcode
            if opcode is TEXT or opcode is BINARY or opcode is CONT:
                if event.fin:
                    if opcode is not CONT and self._handed_over(event):
                        return
                    self.arrivals.append(self._stamp)
            elif opcode is PING:
                self.tap.on_ping(self._stamp, bytes(event.data))
            elif opcode is PONG:
                self.tap.on_pong(self._stamp, bytes(event.data))
            elif opcode is CLOSE and self.close_rcvd_at is None:
                self.close_rcvd_at = self._stamp
        elif isinstance(event, Response) and self.response_at is None:
            self.response_at = self._stamp
        super().process_event(event)

    def _handed_over(self, frame: Frame) -> bool:
        """Deliver a one-frame message now when the client reads and nothing queues ahead.

        Invalid UTF-8 is left to ``recv()``, which fails the connection (1007).
        """
        deliver = self.deliver
        if deliver is None or len(self.recv_messages.frames):
            return False
        if frame.opcode is TEXT:
            try:
                data: str | bytes = str(frame.data, "utf-8")
            except UnicodeDecodeError:
                return False
        else:
            data = bytes(frame.data)
        deliver(data, self._stamp)
        return True

    async def handshake(self, *args: Any, **kwargs: Any) -> None:
        try:
            await super().handshake(*args, **kwargs)
        finally:
            self.tap.on_handshake(self.request, self.response)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost_at = now()
        super().connection_lost(exc)
        self.tap.on_lost(self.lost_at)


def close_soon(conn: ClientConnection) -> None:
    """Close ``conn``'s TCP connection once its close frame is written (aborted if stuck)."""
    # call_soon: websockets writes the close frame first (send_data runs
    # right after the protocol call that failed).
    asyncio.get_running_loop().call_soon(_close_transport, conn)


def _close_transport(conn: ClientConnection) -> None:
    transport = conn.transport
    if transport.is_closing():
        return
    transport.close()  # flushes the close frame, then FIN
    limit = conn.close_timeout if conn.close_timeout is not None else 1.0
    asyncio.get_running_loop().call_later(limit, transport.abort)
