"""One named client: its connection, reader task, messages, pings and close.

A :class:`Client` lives on the loop thread. Its reader task turns every
message returned by ``recv()`` into a :class:`~wsbdd.core.records.Message` stamped
with the arrival time recorded by :class:`TrackedConnection`, appends it to
``inbox`` and ``received`` and wakes whoever waits on the client. Every method
here must run on the loop; steps go through :class:`wsbdd.runtime.Clients`.

A client's history spans its connections: a reconnect makes a new
:class:`Client` (``history=`` the previous one) that keeps the same
``received``, ``inbox`` and transcript, so messages of the earlier connection
that no step consumed can still be received, message numbers go on, and
``connections`` lists every connection in order.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import functools
import heapq
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Literal, TypeVar, cast

from websockets.asyncio.client import connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidStatus,
    InvalidURI,
    ProtocolError,
)
from websockets.http11 import Request, Response
from websockets.protocol import State

from wsbdd.core.close_texts import token_hint
from wsbdd.core.codecs import Codec, CodecError, JsonCodec
from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.records import (
    CloseInfo,
    ConnectionSummary,
    ConnectOutcome,
    ConnectResult,
    HandshakeInfo,
    Message,
    TranscriptEvent,
    now,
)
from wsbdd.core.redaction import Redactor
from wsbdd.core.timing import format_duration

from ._connect import connect_kwargs, status_line
from ._wakeup import wait_for_change, wake
from .connection import TrackedConnection
from .request import ConnectRequest

_SLOW_RECEIVE_BUFFER = 4096
"""Kernel receive buffer of a client that stopped reading."""

__all__ = ["Client", "Probe"]

T = TypeVar("T")

Probe = Callable[["Client"], "T | None"]
"""A condition over one client: returns a result when satisfied, else None."""

_SETTLE = 1.0
"""Seconds to wait for the TCP connection to go after a close/abort."""

_READ_SLICE = 0.005
"""Seconds the reader runs at most before it lets the loop do something else."""


class Client:
    """One named WebSocket client and everything it saw.

    Public state (read it from probes, which run on the loop thread):
    ``name``, ``request``, ``result``, ``inbox`` (unconsumed messages in
    arrival order), ``received`` (all messages, on every connection;
    ``first_index`` is this connection's first), ``transcript``,
    ``close_info``, ``subprotocol``, ``pings`` / ``pongs`` (arrival times of
    protocol pings and pongs from the server), ``last_ping_sent``.
    """

    def __init__(
        self,
        name: str,
        request: ConnectRequest,
        on_change: Callable[[], None] = lambda: None,
        history: Client | None = None,
    ) -> None:
        self.name = name
        self.request = request
        self.redactor = Redactor(request.secrets)
        self.result = ConnectResult(
            ConnectOutcome.FAILED,
            HandshakeInfo(url=self.redactor.url(request.url)),
            0.0,
            "not connected yet",
        )
        self.inbox: list[Message] = history.inbox if history is not None else []
        self.received: list[Message] = history.received if history is not None else []
        self.earlier: tuple[ConnectionSummary, ...] = (
            history.connections if history is not None else ()
        )
        """The client's previous connections in this scenario, oldest first."""
        self.first_index = len(self.received)
        """``Message.index`` of this connection's first message (earlier ones came before)."""
        self.started_at = now()
        self.codec: Codec | None = request.codec
        """How frames become values (None: JSON text, the default)."""
        self.close_info: CloseInfo | None = None
        self.subprotocol: str | None = None
        self.pings: list[float] = []
        self.pongs: list[float] = []
        self.last_ping_sent: float | None = None
        self.connection: TrackedConnection | None = None
        self._events: list[TranscriptEvent] = history._events if history is not None else []
        self._on_change = on_change
        self._waiters: list[asyncio.Future[None]] = []
        self._reader: asyncio.Task[None] | None = None
        self._reading = True
        self._normal_receive_buffer: int | None = None
        self._dropped = False
        self._hs_request: Request | None = None
        self._hs_response: Response | None = None

    def __repr__(self) -> str:
        state = self.close_info.describe() if self.close_info else self.result.outcome.value
        return f"<Client {self.name} {state}, {len(self.received)} received>"

    # -- public view -----------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True while the WebSocket connection is open."""
        conn = self.connection
        return conn is not None and self.close_info is None and conn.protocol.state is State.OPEN

    @property
    def connections(self) -> tuple[ConnectionSummary, ...]:
        """Every connection of this client in the scenario, oldest first, this one last."""
        number = len(self.earlier) + 1
        current = ConnectionSummary(number, self.started_at, self.result, self.close_info)
        return (*self.earlier, current)

    @property
    def reading(self) -> bool:
        """False between ``stop_reading()`` and ``resume_reading()``."""
        return self._reading

    @property
    def answer_pings(self) -> bool:
        """Whether protocol pings from the server are answered."""
        return self.connection.answer_pings if self.connection is not None else True

    @property
    def transcript(self) -> list[TranscriptEvent]:
        """Every frame sent and received and every event, in time order, redacted.

        Built on demand: received messages are kept once (in ``received``)
        and merged with the other events here, which keeps a 100,000-message
        flood cheap to record.
        """
        received = (
            TranscriptEvent(m.received_at, "received", m.kind, m.data, _meta(m))
            for m in self.received
        )
        events = sorted(self._events, key=lambda e: e.at)
        # On equal stamps (frames parsed from one read) messages come first:
        # a close frame always follows the data it was sent after.
        merged = heapq.merge(received, events, key=lambda e: e.at)
        return [self._redact_event(e) for e in merged]

    @property
    def sent_frames(self) -> list[TranscriptEvent]:
        """Every text and binary frame this client sent, in order (not redacted)."""
        return [e for e in self._events if e.direction == "sent" and e.kind in ("text", "binary")]

    def consume(self, msg: Message) -> None:
        """Remove ``msg`` from the inbox (a matched expectation uses it up).

        The inbox is in ``Message.index`` order (the reader only appends), so
        the message is found by bisection; one that is not there is ignored.
        """
        inbox = self.inbox
        i = bisect.bisect_left(inbox, msg.index, key=_index)
        if i < len(inbox) and inbox[i] is msg:
            del inbox[i]

    def consume_many(self, msgs: Iterable[Message]) -> None:
        """Remove every message of ``msgs`` from the inbox, rebuilding it once.

        For many messages at a time: one pass over the inbox instead of one
        removal (and list shift) per message. Messages not there are ignored.
        """
        gone = {id(m) for m in msgs}
        if gone:
            self.inbox[:] = [m for m in self.inbox if id(m) not in gone]

    def record(
        self,
        kind: Literal["text", "binary", "ping", "pong", "open", "close", "drop", "error"],
        data: str | bytes,
        *,
        direction: Literal["sent", "received", "event"] = "event",
        at: float | None = None,
        **meta: Any,
    ) -> None:
        """Add one event to the transcript (for profiles and crowds)."""
        self._events.append(
            TranscriptEvent(now() if at is None else at, direction, kind, data, meta)
        )

    # -- connecting ------------------------------------------------------------

    async def open(self) -> ConnectResult:
        """Connect; record and return the outcome. Never raises for server behaviour.

        Raises :class:`~wsbdd.core.exceptions.UsageError` for an unusable URL and
        :class:`~wsbdd.core.exceptions.ConfigError` for an unreadable CA file.
        """
        req = self.request
        kwargs = connect_kwargs(
            req, functools.partial(TrackedConnection, tap=self), req.ssl_context()
        )
        start = self.started_at = now()
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
        except TimeoutError:
            outcome = ConnectOutcome.TIMED_OUT
            detail = f"the connect timeout is {format_duration(req.open_timeout)}"
        except ssl.SSLError as exc:
            outcome, detail = ConnectOutcome.FAILED, f"TLS error: {exc}"
        except OSError as exc:
            outcome, detail = ConnectOutcome.REFUSED, str(exc) or type(exc).__name__
        except Exception as exc:
            outcome, detail = ConnectOutcome.FAILED, f"{type(exc).__name__}: {exc}"
        # Opened when the handshake response arrived, not when connect() returned.
        opened_at = conn.response_at if conn is not None and conn.response_at else now()
        elapsed = opened_at - start
        detail = self.redactor.text(detail)
        if conn is not None:
            self.connection = conn
            self.subprotocol = conn.subprotocol
            self._hs_response = conn.response
        self.result = ConnectResult(outcome, self._handshake_info(), elapsed, detail)
        if conn is not None:
            self.record(
                "open",
                f"connected in {elapsed * 1000:.1f} ms",
                at=start + elapsed,
                subprotocol=self.subprotocol,
                connection=len(self.earlier) + 1,
            )
            self._start_reader()
        else:
            self.record("error", f"{outcome.value}: {detail}" if detail else outcome.value)
        self._notify()
        return self.result

    def _rejection_detail(self, response: Response) -> str:
        detail = status_line(response)
        body = bytes(response.body or b"").decode("utf-8", "replace").strip()
        if body:
            detail += f": {body[:200]}"
        return detail

    def _handshake_info(self) -> HandshakeInfo:
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
            subprotocol=self.subprotocol,
        )

    # -- FrameTap (called by TrackedConnection on the loop) ----------------------

    def on_handshake(self, request: Request | None, response: Response | None) -> None:
        self._hs_request = request
        self._hs_response = response

    def on_ping(self, at: float, data: bytes) -> None:
        self.pings.append(at)
        self._events.append(TranscriptEvent(at, "received", "ping", data))
        self._notify()

    def on_pong(self, at: float, data: bytes) -> None:
        self.pongs.append(at)
        self._events.append(TranscriptEvent(at, "received", "pong", data))
        self._notify()

    def on_lost(self, at: float) -> None:
        # With a reader running, it records the close after draining the
        # messages still queued, so that they are never reported after it.
        if self.connection is not None and (self._reader is None or self._reader.done()):
            self._finish_close()

    # -- reading ------------------------------------------------------------------

    def _start_reader(self) -> None:
        if self.connection is None or (self._reader is not None and not self._reader.done()):
            return
        self._reading = True
        self._reader = asyncio.get_running_loop().create_task(
            self._read(self.connection), name=f"wsbdd-reader-{self.name}"
        )

    async def _read(self, conn: TrackedConnection) -> None:
        name, received, inbox, arrivals = self.name, self.received, self.inbox, conn.arrivals
        slice_end = now() + _READ_SLICE
        try:
            while True:
                data = await conn.recv()
                at = arrivals.popleft() if arrivals else now()
                msg = Message.parse(name, len(received), data, at, self.codec)
                received.append(msg)
                inbox.append(msg)
                self._notify()
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
            self.record("error", f"reader failed: {type(exc).__name__}: {exc}")
            conn.transport.abort()
            await _bounded(conn.wait_closed(), _SETTLE)
            self._finish_close()

    async def stop_reading(self) -> None:
        """Stop reading: websockets' flow control then stops reading the socket.

        The reader task is cancelled (cancelling ``recv()`` loses nothing);
        frames keep arriving and being stamped until websockets' queue passes
        ``max_queue`` and it pauses the transport, so the server's buffers fill.
        """
        self._reading = False
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

    # -- closing ------------------------------------------------------------------

    def _finish_close(self) -> None:
        """Record how the connection ended (idempotent); needs state CLOSED."""
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
        meta: dict[str, Any] = {
            "code": info.code,
            "reason": info.reason,
            "initiated_by": info.initiated_by,
            "clean": info.clean,
        }
        if sent is not None:
            meta["sent_code"] = int(sent.code)
        if cause is not None and not self._dropped:
            meta["cause"] = f"{type(cause).__name__}: {cause}"
        self._events.append(TranscriptEvent(info.at, "event", "close", info.describe(), meta))
        self._notify()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with a close frame, bounded by ``close_timeout`` (then abort)."""
        conn = self.connection
        if conn is None or self.close_info is not None:
            return
        if conn.protocol.state is State.OPEN:
            self._events.append(TranscriptEvent(now(), "sent", "close", reason, {"code": code}))
        try:
            async with asyncio.timeout(self.request.close_timeout + _SETTLE):
                await conn.close(code, reason)
        except ProtocolError as exc:
            raise UsageError(f"client {self.name} cannot close with code {code}: {exc}") from None
        except TimeoutError:
            conn.transport.abort()
        await self._settle()

    async def drop(self) -> None:
        """Cut the TCP connection without a close frame."""
        conn = self.connection
        if conn is None or self.close_info is not None:
            return
        self._dropped = True
        self._events.append(TranscriptEvent(now(), "event", "drop", "dropped the TCP connection"))
        conn.transport.abort()
        await self._settle()

    async def _settle(self) -> None:
        """After a close or abort: wait for the TCP connection and the reader, record."""
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
        """End this client whatever its state: close politely, abort if needed.

        Never raises; leaves no task and no socket behind.
        """
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
        self._notify()

    def abort(self) -> None:
        """Last resort (synchronous): abort the transport and cancel the reader."""
        if self._reader is not None:
            self._reader.cancel()
        if self.connection is not None:
            self.connection.transport.abort()

    # -- sending ------------------------------------------------------------------

    def _require_open(self) -> TrackedConnection:
        conn = self.connection
        if conn is None:
            result = self.result
            why = f"its connection attempt ended: {result.outcome.value}" + (
                f" ({result.detail})" if result.detail else ""
            )
            raise ExpectationFailed(f"client {self.name} cannot send: {why}")
        if self.close_info is not None:
            raise ExpectationFailed(
                f"client {self.name} cannot send: {self.close_phrase(self.close_info)}"
            )
        return conn

    def close_phrase(self, info: CloseInfo) -> str:
        """``it was closed by the server with code 4401 "unauthorized"`` and the like."""
        if info.clean:
            return f"it was {info.describe()}{token_hint(self.request.identity, info)}"
        if self._dropped:
            return f"it dropped its connection (code {info.code})"
        by = {"client": " after the client's close frame", "server": "", "network": ""}
        return (
            f"its connection was cut without a close frame{by[info.initiated_by]} "
            f"(code {info.code})"
        )

    async def _closed_while_sending(self) -> ExpectationFailed:
        await self._settle()
        info = self.close_info
        phrase = self.close_phrase(info) if info is not None else "its connection is closing"
        return ExpectationFailed(f"client {self.name} cannot send: {phrase}")

    async def _send(
        self,
        kind: Literal["text", "binary", "ping"],
        write: Callable[[TrackedConnection], Awaitable[object]],
        recorded: str | bytes,
    ) -> float:
        """Run ``write`` on the open connection and record ``recorded``; the time just before."""
        conn = self._require_open()
        at = now()
        try:
            await write(conn)
        except ConnectionClosed:
            raise await self._closed_while_sending() from None
        self._events.append(TranscriptEvent(at, "sent", kind, recorded))
        return at

    async def send_text(self, text: str) -> float:
        """Send a text frame; return the time taken just before the write."""
        return await self._send("text", lambda conn: conn.send(text), text)

    async def send_frame(self, frame: str | bytes) -> float:
        """Send a text (``str``) or binary (``bytes``) frame."""
        if isinstance(frame, bytes):
            return await self.send_binary(frame)
        return await self.send_text(frame)

    async def send_binary(self, data: bytes) -> float:
        """Send a binary frame; return the time taken just before the write."""
        frame = bytes(data)
        return await self._send("binary", lambda conn: conn.send(frame), frame)

    def encode(self, value: Any) -> str | bytes:
        """The frame for ``value`` in this client's codec (JSON text by default)."""
        codec = self.codec or _JSON
        try:
            return codec.encode(value)
        except CodecError as exc:
            raise UsageError(f"client {self.name} cannot send {value!r}: {exc}") from None

    async def send_value(self, value: Any) -> float:
        """Send ``value`` as one frame of this client's codec; the time just before the write."""
        at = await self.send_frame(self.encode(value))
        if self.codec is not None and self.codec.binary and self._events:
            self._events[-1].meta.update(codec=self.codec.name, decoded=value)
        return at

    def use_codec(self, codec: Codec) -> None:
        """Decode frames with ``codec`` from now on, and those already received again."""
        self.codec = codec
        for message in self.received:
            message.decode_with(codec)

    async def send_ping(self, data: bytes | None = None) -> float:
        """Send a protocol ping; return its send time (the pong lands in ``pongs``)."""
        self.last_ping_sent = await self._send("ping", lambda conn: conn.ping(data), data or b"")
        return self.last_ping_sent

    def set_answer_pings(self, answer: bool) -> None:
        """Answer (True) or ignore (False) protocol pings from now on."""
        if self.connection is not None:
            self.connection.answer_pings = answer

    # -- waiting ------------------------------------------------------------------

    def _notify(self) -> None:
        if self._waiters:
            wake(self._waiters)
        self._on_change()

    async def wait(
        self,
        probe: Callable[[Client], T | None],
        timeout: float,  # noqa: ASYNC109 - expiry is a result (None), not an error
        until: float | None = None,
    ) -> T | None:
        """Run ``probe`` now and after every change; first non-None result, or None.

        ``probe`` runs on the loop thread. The deadline is ``timeout`` seconds
        from now (or the ``now()`` time ``until``); no polling, the client
        wakes its waiters on every message, ping, pong and close.
        """
        return await wait_for_change(self._waiters, lambda: probe(self), timeout, until)

    # -- helpers ------------------------------------------------------------------

    def _redact_event(self, event: TranscriptEvent) -> TranscriptEvent:
        data = event.data
        shown = self.redactor.text(data) if isinstance(data, str) else self.redactor.bytes(data)
        if shown == data:
            return event
        return TranscriptEvent(event.at, event.direction, event.kind, shown, event.meta)


_JSON = JsonCodec()


def _meta(message: Message) -> dict[str, Any]:
    """A received message's transcript details: its number, and what its codec made of it."""
    if not message.codec:
        return {"index": message.index}
    if message.is_json:
        return {"index": message.index, "codec": message.codec, "decoded": message.payload}
    return {"index": message.index, "codec": message.codec, "problem": message.problem}


def _index(msg: Message) -> int:
    return msg.index


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
