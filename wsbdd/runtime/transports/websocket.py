"""The WebSocket transport: one websockets client connection behind the :class:`Transport` seam.

:class:`WebSocketTransport` opens a :class:`~.ws_connection.TrackedConnection`
(which stamps every frame as its bytes arrive), runs the reader task that
hands each message to the client's :meth:`~wsbdd.runtime.transport.TransportEvents.on_message`
with its stamp, reports protocol pings and pongs as controls, and works out
how the connection ended (:meth:`_finish_close`): a close frame from the
server, one the client sent first, a failure wsbdd declared because the server
broke the protocol, a cut TCP connection. It also has the WebSocket-only
capabilities: protocol pings, ignoring the server's pings, and stopping reading
(websockets' flow control plus a small kernel receive buffer, like a slow device).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
from collections.abc import Awaitable, Callable
from typing import Any, Literal, cast

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, ProtocolError
from websockets.http11 import Request, Response
from websockets.protocol import State

from wsbdd.core.exceptions import UsageError
from wsbdd.core.records import CloseInfo, ConnectOutcome, ConnectResult, HandshakeInfo, now

from ..connect_errors import map_connect_error
from ..request import ConnectRequest
from ..transport import TransportClosed, TransportEvents
from .ws_connection import TrackedConnection
from .ws_options import connect_kwargs, status_line

__all__ = ["WebSocketTransport"]

_SLOW_RECEIVE_BUFFER = 4096
"""Kernel receive buffer of a client that stopped reading."""

_SETTLE = 1.0
"""Seconds to wait for the TCP connection to go after a close/abort."""

_READ_SLICE = 0.005
"""Seconds the reader runs at most before it lets the loop do something else."""


class WebSocketTransport:
    """One WebSocket connection of client ``name`` (see the module docstring)."""

    kind: Literal["websocket"] = "websocket"

    def __init__(self, request: ConnectRequest, name: str) -> None:
        self.request = request
        self.name = name
        self.redactor = request.make_redactor()
        self.connection: TrackedConnection | None = None
        """The websockets connection once it opened (None before, or when it failed)."""
        self.close_info: CloseInfo | None = None
        self._events: TransportEvents | None = None
        self._reader: asyncio.Task[None] | None = None
        self._reading = True
        self._normal_receive_buffer: int | None = None
        self._dropped = False
        self._hs_request: Request | None = None
        self._hs_response: Response | None = None

    @property
    def is_open(self) -> bool:
        """True while the WebSocket connection is open."""
        conn = self.connection
        return conn is not None and self.close_info is None and conn.protocol.state is State.OPEN

    # -- opening ------------------------------------------------------------------

    async def open(self, events: TransportEvents) -> ConnectResult:
        """Run the opening handshake; start the reader when it succeeded."""
        self._events = events
        req = self.request
        kwargs = connect_kwargs(
            req, functools.partial(TrackedConnection, tap=self), req.ssl_context()
        )
        start = now()
        outcome, detail = ConnectOutcome.OPEN, ""
        conn: TrackedConnection | None = None
        try:
            conn = cast(TrackedConnection, await connect(req.url, **kwargs))
        except InvalidURI as exc:
            raise UsageError(f"client {self.name} cannot connect: {exc}") from None
        except InvalidStatus as exc:
            self._hs_response = exc.response
            outcome = ConnectOutcome.REJECTED
            detail = self._rejection_detail(exc.response)
        except Exception as exc:
            outcome, detail = map_connect_error(exc, req.open_timeout)
        # Opened when the handshake response arrived, not when connect() returned.
        opened_at = conn.response_at if conn is not None and conn.response_at else now()
        detail = self.redactor.text(detail)
        subprotocol = None
        if conn is not None:
            self.connection = conn
            subprotocol = conn.subprotocol
            self._hs_response = conn.response
        handshake = self._handshake_info(subprotocol)
        result = ConnectResult(outcome, handshake, opened_at - start, detail)
        if conn is not None:
            self._start_reader()
        return result

    def _rejection_detail(self, response: Response) -> str:
        detail = status_line(response)
        body = bytes(response.body or b"").decode("utf-8", "replace").strip()
        if body:
            detail += f": {body[:200]}"
        return detail

    def _handshake_info(self, subprotocol: str | None) -> HandshakeInfo:
        red = self.redactor
        if self._hs_request is not None:
            sent = list(self._hs_request.headers.raw_items())
        else:
            sent = list(self.request.headers)
            if self.request.origin:
                sent.append(("Origin", self.request.origin))
        resp = self._hs_response
        return HandshakeInfo(
            url=red.url(self.request.url),
            request_headers=tuple(red.headers(sent)),
            status=resp.status_code if resp is not None else None,
            response_headers=tuple(red.headers(resp.headers.raw_items())) if resp else (),
            subprotocol=subprotocol,
        )

    # -- FrameTap (called by TrackedConnection on the loop) --------------------------

    def on_handshake(self, request: Request | None, response: Response | None) -> None:
        """The opening handshake ended: keep what was sent and answered."""
        self._hs_request = request
        self._hs_response = response

    def on_ping(self, at: float, data: bytes) -> None:
        """A protocol ping arrived."""
        if self._events is not None:
            self._events.on_control("ping", at, data)

    def on_pong(self, at: float, data: bytes) -> None:
        """A protocol pong arrived."""
        if self._events is not None:
            self._events.on_control("pong", at, data)

    def on_lost(self, at: float) -> None:
        """TCP is gone; with a reader running, it reports the close after the queued messages."""
        if self.connection is not None and (self._reader is None or self._reader.done()):
            self._finish_close()

    # -- reading ------------------------------------------------------------------------

    def _start_reader(self) -> None:
        if self.connection is None or (self._reader is not None and not self._reader.done()):
            return
        self._reading = True
        self._reader = asyncio.get_running_loop().create_task(
            self._read(self.connection), name=f"wsbdd-reader-{self.name}"
        )
        self.connection.deliver = self._deliver_now

    def _deliver_now(self, data: str | bytes, at: float) -> None:
        """A message handed over by the connection as it arrived (see ws_connection)."""
        events, conn = self._events, self.connection
        assert events is not None and conn is not None
        try:
            events.on_message(data, at)
        except Exception as exc:
            conn.deliver = None
            events.on_error(f"reader failed: {type(exc).__name__}: {exc}", now())
            conn.transport.abort()

    async def _read(self, conn: TrackedConnection) -> None:
        events = self._events
        assert events is not None
        deliver, arrivals, recv = events.on_message, conn.arrivals, conn.recv
        slice_end = now() + _READ_SLICE
        try:
            while True:
                data = await recv()
                deliver(data, arrivals.popleft() if arrivals else now())
                if now() > slice_end:
                    # recv() returns without suspending while frames are queued
                    # (one socket read holds thousands on a flood): let timers
                    # and other clients run, so every deadline is kept.
                    await asyncio.sleep(0)
                    slice_end = now() + _READ_SLICE
        except ConnectionClosed:
            self._finish_close()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            events.on_error(f"reader failed: {type(exc).__name__}: {exc}", now())
            conn.transport.abort()
            await _bounded(conn.wait_closed(), _SETTLE)
            self._finish_close()

    @property
    def reading(self) -> bool:
        """False between ``stop_reading()`` and ``resume_reading()``."""
        return self._reading

    async def stop_reading(self) -> None:
        """Stop reading: websockets' flow control then stops reading the socket.

        The reader task is cancelled (cancelling ``recv()`` loses nothing);
        frames keep arriving and being stamped until websockets' queue passes
        ``max_queue`` and it pauses the transport, so the server's buffers fill.
        """
        self._reading = False
        if self.connection is not None:
            self.connection.deliver = None
        reader, self._reader = self._reader, None
        if reader is not None and not reader.done():
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        self._shrink_receive_buffer()

    def _socket(self) -> socket.socket | None:
        conn = self.connection
        return conn.transport.get_extra_info("socket") if conn is not None else None

    def _shrink_receive_buffer(self) -> None:
        """Like a slow device: a small kernel receive buffer, so the server's queue fills."""
        sock = self._socket()
        if sock is not None:
            with contextlib.suppress(OSError):
                if self._normal_receive_buffer is None:
                    self._normal_receive_buffer = sock.getsockopt(
                        socket.SOL_SOCKET, socket.SO_RCVBUF
                    )
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _SLOW_RECEIVE_BUFFER)

    def _restore_receive_buffer(self) -> None:
        sock, size = self._socket(), self._normal_receive_buffer
        if sock is not None and size is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)
        self._normal_receive_buffer = None

    async def resume_reading(self) -> None:
        """Resume reading: queued messages are delivered with their arrival stamps."""
        self._reading = True
        self._restore_receive_buffer()
        self._start_reader()
        conn = self.connection
        if conn is not None and conn.protocol.state is State.CLOSED and self._reader is None:
            self._finish_close()

    # -- how it ended ---------------------------------------------------------------------

    def _finish_close(self) -> None:
        """Work out and report how the connection ended (idempotent); needs state CLOSED."""
        conn = self.connection
        if self.close_info is not None or conn is None:
            return
        proto = conn.protocol
        rcvd, sent = proto.close_rcvd, proto.close_sent
        lost_at = conn.lost_at if conn.lost_at is not None else now()
        info: CloseInfo
        cause = conn.connection_exc or proto.parser_exc
        failure = conn.failure
        if self._dropped:
            info = CloseInfo(1006, "", "client", False, lost_at)
        elif failure is not None:
            # wsbdd failed the connection (the server broke the protocol): our frame says why.
            at = conn.failed_at if conn.failed_at is not None else lost_at
            info = CloseInfo(failure[0], failure[1], "client", True, at)
        elif rcvd is None and sent is not None and _client_failure(cause):
            # We failed the connection (invalid UTF-8, message too big...):
            # websockets then ignores the server's echo, so report our frame.
            info = CloseInfo(int(sent.code), sent.reason, "client", True, lost_at)
        elif rcvd is None:
            who: Literal["server", "client", "network"] = "client" if sent else "network"
            info = CloseInfo(1006, "", who, False, lost_at)
        else:
            who = "client" if sent is not None and proto.close_rcvd_then_sent is False else "server"
            at = conn.close_rcvd_at if conn.close_rcvd_at is not None else lost_at
            info = CloseInfo(int(rcvd.code), rcvd.reason, who, True, at)
        self.close_info = info
        details: dict[str, Any] = {}
        if sent is not None:
            details["sent_code"] = int(sent.code)
        if cause is not None and not self._dropped:
            details["cause"] = f"{type(cause).__name__}: {cause}"
        if self._events is not None:
            self._events.on_closed(info, details)

    # -- closing ----------------------------------------------------------------------------

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with a close frame, bounded by ``close_timeout`` (then abort)."""
        conn = self.connection
        if conn is None or self.close_info is not None:
            return
        try:
            async with asyncio.timeout(self.request.close_timeout + _SETTLE):
                await conn.close(code, reason)
        except ProtocolError as exc:
            raise UsageError(f"client {self.name} cannot close with code {code}: {exc}") from None
        except TimeoutError:
            conn.transport.abort()
        await self._settle()

    async def drop(self) -> None:
        """Cut the TCP connection at once (no closing handshake)."""
        conn = self.connection
        if conn is None or self.close_info is not None:
            return
        self._dropped = True
        conn.transport.abort()
        await self._settle()

    async def _settle(self) -> None:
        """After a close or abort: wait for the TCP connection and the reader, report."""
        conn = self.connection
        if conn is None:
            return
        if not await _bounded(conn.wait_closed(), _SETTLE):
            conn.transport.abort()
            await _bounded(conn.wait_closed(), _SETTLE)
        reader = self._reader
        if reader is not None and not reader.done():
            await _bounded(asyncio.shield(reader), _SETTLE)
        if conn.protocol.state is State.CLOSED:
            self._finish_close()

    async def shutdown(self) -> None:
        """End the connection whatever its state: close politely, abort if needed."""
        conn = self.connection
        reader, self._reader = self._reader, None
        if reader is not None and not reader.done():
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        if conn is None:
            return
        if conn.recv_messages.paused:
            # Stopped reading: let the server's close frame through again.
            conn.transport.resume_reading()
        try:
            if conn.protocol.state is State.OPEN:
                async with asyncio.timeout(self.request.close_timeout + _SETTLE):
                    await conn.close(1000, "")
        except Exception:
            pass
        if conn.protocol.state is not State.CLOSED:
            conn.transport.abort()
        await _bounded(conn.wait_closed(), _SETTLE)
        if conn.protocol.state is State.CLOSED:
            self._finish_close()

    def abort(self) -> None:
        """Last resort (synchronous): abort the TCP connection and cancel the reader."""
        if self._reader is not None:
            self._reader.cancel()
        if self.connection is not None:
            self.connection.transport.abort()

    # -- sending ---------------------------------------------------------------------------

    async def _write(self, write: Callable[[TrackedConnection], Awaitable[object]]) -> float:
        conn = self.connection
        if conn is None:
            raise TransportClosed
        at = now()
        try:
            await write(conn)
        except ConnectionClosed:
            await self._settle()
            raise TransportClosed from None
        return at

    async def send_text(self, text: str) -> float:
        """Send a text frame; the time taken just before the write."""
        return await self._write(lambda conn: conn.send(text))

    async def send_binary(self, data: bytes) -> float:
        """Send a binary frame; the time taken just before the write."""
        return await self._write(lambda conn: conn.send(data))

    async def send_ping(self, data: bytes | None) -> float:
        """Send a protocol ping (websockets picks a payload for None)."""
        return await self._write(lambda conn: conn.ping(data))

    @property
    def answer_pings(self) -> bool:
        """Whether the server's protocol pings are answered."""
        return self.connection.answer_pings if self.connection is not None else True

    def set_answer_pings(self, answer: bool) -> None:
        """Answer (True) or ignore (False) the server's pings from now on."""
        if self.connection is not None:
            self.connection.answer_pings = answer


def _client_failure(cause: BaseException | None) -> bool:
    """True when ``cause`` made websockets fail the connection with a close frame."""
    return cause is not None and not isinstance(cause, OSError | TimeoutError | EOFError)


async def _bounded(aw: Any, limit: float) -> bool:
    """Await ``aw`` for at most ``limit`` seconds; True when it finished."""
    try:
        async with asyncio.timeout(limit):
            await aw
    except TimeoutError:
        return False
    except Exception:
        return True
    return True


