"""One named client: its messages, history, transcript and waiters, over any transport.

A :class:`Client` lives on the loop thread. It owns what a step reads and
talks to its connection only through the :class:`~wsbdd.runtime.transport.Transport`
seam: it implements :class:`~wsbdd.runtime.transport.TransportEvents`, so its
transport (WebSocket, SSE, Socket.IO, the in-memory fake) hands it every message
with the stamp of its arrival (:meth:`on_message` appends it to ``inbox`` and
``received`` and wakes whoever waits), every protocol ping and pong
(:meth:`on_control`) and the end of the connection (:meth:`on_closed`). Every
method here must run on the loop; steps go through :class:`wsbdd.runtime.Clients`.

A client's history spans its connections: a reconnect makes a new :class:`Client`
(``history=`` the previous one) that keeps the same ``received``, ``inbox`` and
transcript, so messages of the earlier connection that no step consumed can still
be received, message numbers go on, and ``connections`` lists them all in order.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar, cast

from wsbdd.core.close_texts import (
    DROPPED_NOTE,
    STILL_CLOSING,
    attempt_ended,
    attempt_note,
    cannot_send,
    ended_phrase,
    opened_note,
)
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

from ._transcript import build_transcript
from ._watch import Watch, poke, watch
from .request import ConnectRequest
from .transport import (
    ControlKind,
    PingControl,
    ReadControl,
    Transport,
    TransportClosed,
    TransportFactory,
)
from .transports import load_factory
from .view import ClientView

__all__ = ["Client", "Probe"]

T = TypeVar("T")

Probe = Callable[["Client"], "T | None"]
"""A condition over one client: returns a result when satisfied, else None."""


class Client:
    """One named client and everything it saw (a :class:`TransportEvents`).

    Public state (read it from probes, which run on the loop thread):
    ``name``, ``request``, ``transport``, ``result``, ``inbox`` (unconsumed
    messages in arrival order), ``received`` (all messages, on every connection;
    ``first_index`` is this connection's first), ``transcript``,
    ``close_info``, ``subprotocol``, ``pings`` / ``pongs`` (arrival times of
    protocol pings and pongs from the server), ``last_ping_sent``.

    ``transport`` None builds the kind ``request.transport`` names with the
    registry's factory (:mod:`wsbdd.runtime.transports`).
    """

    def __init__(
        self,
        name: str,
        request: ConnectRequest,
        on_change: Callable[[], None] = lambda: None,
        history: Client | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.name = name
        self.request = request
        self.redactor = request.make_redactor()
        if transport is None:
            factory = cast(TransportFactory, load_factory(request.transport))
            transport = factory(request, name)
        self.transport: Transport = transport
        self.result = ConnectResult(
            ConnectOutcome.FAILED,
            HandshakeInfo(url=self.redactor.url(request.url)),
            0.0,
            "not connected yet",
        )
        self.inbox: list[Message] = history.inbox if history is not None else []
        self.received: list[Message] = history.received if history is not None else []
        self.earlier: tuple[ConnectionSummary, ...] = history.connections if history else ()
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
        self._events: list[TranscriptEvent] = history._events if history is not None else []
        self._on_change = on_change
        self.arrivals: deque[Message] | None = None  # the manager's feed (a reader off the loop)
        self._watches: list[Watch[Any]] = []
        self._opened = False
        self._dropped = False

    def __repr__(self) -> str:
        state = self.close_info.describe() if self.close_info else self.result.outcome.value
        return f"<Client {self.name} {state}, {len(self.received)} received>"

    # -- public view -----------------------------------------------------------

    def view(self) -> ClientView:
        """An immutable copy of what steps read (take it on the loop thread)."""
        return ClientView(
            self.name,
            self.request,
            self.result,
            self.close_info,
            self.is_open,
            self.subprotocol,
            self.reading,
            self.answer_pings,
            tuple(self.inbox),
            tuple(self.received),
            self.first_index,
            tuple(self.pings),
            tuple(self.pongs),
            self.last_ping_sent,
            self.connections,
        )

    @property
    def is_open(self) -> bool:
        """True while the connection is open."""
        return self.close_info is None and self.transport.is_open

    @property
    def connections(self) -> tuple[ConnectionSummary, ...]:
        """Every connection of this client in the scenario, oldest first, this one last."""
        number = len(self.earlier) + 1
        current = ConnectionSummary(number, self.started_at, self.result, self.close_info)
        return (*self.earlier, current)

    @property
    def reading(self) -> bool:
        """False between ``stop_reading()`` and ``resume_reading()``."""
        transport = self.transport
        return transport.reading if isinstance(transport, ReadControl) else True

    @property
    def answer_pings(self) -> bool:
        """Whether protocol pings from the server are answered."""
        transport = self.transport
        return transport.answer_pings if isinstance(transport, PingControl) else True

    @property
    def transcript(self) -> list[TranscriptEvent]:
        """Every frame sent and received and every event, in time order, redacted.

        Built on demand from ``received`` and the other events (a flood stays cheap to record).
        """
        return build_transcript(self.received, self._events, self.redactor)

    @property
    def sent_frames(self) -> list[TranscriptEvent]:
        """Every text and binary frame this client sent, in order (not redacted)."""
        return [e for e in self._events if e.direction == "sent" and e.kind in ("text", "binary")]

    def consume(self, msg: Message) -> None:
        """Remove ``msg`` from the inbox (a matched expectation uses it up).

        The inbox is in ``Message.index`` order: found by bisection; an absent one is ignored.
        """
        inbox = self.inbox
        i = bisect.bisect_left(inbox, msg.index, key=_index)
        if i < len(inbox) and inbox[i] is msg:
            del inbox[i]

    def consume_many(self, msgs: Iterable[Message]) -> None:
        """Remove every message of ``msgs`` from the inbox in one pass (absent ones ignored)."""
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
        start = self.started_at = now()
        result = await self.transport.open(self)
        self.result = result
        if result.outcome is ConnectOutcome.OPEN:
            self._opened = True
            self.subprotocol = result.handshake.subprotocol
            self.record(
                "open",
                opened_note(result.elapsed),
                at=start + result.elapsed,
                subprotocol=self.subprotocol,
                connection=len(self.earlier) + 1,
            )
        else:
            self.record("error", attempt_note(result.outcome.value, result.detail))
        self._notify()
        return result

    # -- TransportEvents (called by the transport on the loop) ---------------------

    def on_message(
        self, data: str | bytes, at: float, meta: Mapping[str, Any] | None = None
    ) -> None:
        """A message arrived at ``at``: number it, decode it, keep it, wake the waiters."""
        received = self.received
        msg = Message.parse(self.name, len(received), data, at, self.codec)
        if meta:
            msg.meta.update(meta)
        received.append(msg)
        self.inbox.append(msg)
        if self.arrivals is not None:
            self.arrivals.append(msg)
        if self._watches:
            poke(self._watches)
        self._on_change()

    def on_control(self, kind: ControlKind, at: float, data: bytes = b"") -> None:
        """A protocol ping or pong arrived at ``at``."""
        (self.pings if kind == "ping" else self.pongs).append(at)
        self._events.append(TranscriptEvent(at, "received", kind, data))
        self._notify()

    def on_closed(self, info: CloseInfo, details: Mapping[str, Any] | None = None) -> None:
        """The connection ended: record how (once) and wake the waiters."""
        if self.close_info is not None:
            return
        self.close_info = info
        meta: dict[str, Any] = {
            "code": info.code,
            "reason": info.reason,
            "initiated_by": info.initiated_by,
            "clean": info.clean,
        }
        if details:
            meta.update(details)
        self._events.append(TranscriptEvent(info.at, "event", "close", info.describe(), meta))
        self._notify()

    def on_error(self, text: str, at: float) -> None:
        """Something the transcript should show went wrong (the transport then ends)."""
        self._events.append(TranscriptEvent(at, "event", "error", text))

    # -- reading ------------------------------------------------------------------

    def _read_control(self, what: str) -> ReadControl:
        transport = self.transport
        if not isinstance(transport, ReadControl):
            raise UsageError(
                f"client {self.name} cannot {what}: its {transport.kind} connection "
                "has no flow control"
            )
        return transport

    async def stop_reading(self) -> None:
        """Stop reading (the transport holds messages back and lets the server's buffers fill)."""
        await self._read_control("stop reading").stop_reading()

    async def resume_reading(self) -> None:
        """Resume reading: held-back messages are delivered with their arrival stamps."""
        await self._read_control("resume reading").resume_reading()

    # -- closing ------------------------------------------------------------------

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with a close frame, bounded by ``close_timeout`` (then abort)."""
        if not self._opened or self.close_info is not None:
            return
        if self.transport.is_open:
            self._events.append(TranscriptEvent(now(), "sent", "close", reason, {"code": code}))
        await self.transport.close(code, reason)

    async def drop(self) -> None:
        """Cut the connection at once, with no closing handshake."""
        if not self._opened or self.close_info is not None:
            return
        self._dropped = True
        self._events.append(TranscriptEvent(now(), "event", "drop", DROPPED_NOTE))
        await self.transport.drop()

    async def shutdown(self) -> None:
        """End this client whatever its state: close politely, abort if needed.

        Never raises; leaves no task and no socket behind.
        """
        await self.transport.shutdown()
        self._notify()

    def abort(self) -> None:
        """Last resort (synchronous): cut the connection and stop its tasks."""
        self.transport.abort()

    # -- sending ------------------------------------------------------------------

    def _require_open(self) -> None:
        if not self._opened:
            why = attempt_ended(self.result.outcome.value, self.result.detail)
            raise ExpectationFailed(cannot_send(self.name, why))
        if self.close_info is not None:
            raise ExpectationFailed(cannot_send(self.name, self.close_phrase(self.close_info)))

    def close_phrase(self, info: CloseInfo) -> str:
        """``it was closed by the server with code 4401 "unauthorized"`` and the like."""
        return ended_phrase(info, self.request.identity, self._dropped)

    def _closed_while_sending(self) -> ExpectationFailed:
        info = self.close_info
        phrase = self.close_phrase(info) if info is not None else STILL_CLOSING
        return ExpectationFailed(cannot_send(self.name, phrase))

    async def _sent(
        self,
        kind: Literal["text", "binary", "ping"],
        data: str | bytes,
        send: Callable[[], Awaitable[float]],
    ) -> float:
        """``send`` on an open connection, recorded; the time just before the write."""
        self._require_open()
        try:
            at = await send()
        except TransportClosed:
            raise self._closed_while_sending() from None
        self._events.append(TranscriptEvent(at, "sent", kind, data))
        return at

    async def send_text(self, text: str) -> float:
        """Send a text frame; return the time taken just before the write."""
        return await self._sent("text", text, lambda: self.transport.send_text(text))

    async def send_frame(self, frame: str | bytes) -> float:
        """Send a text (``str``) or binary (``bytes``) frame."""
        if isinstance(frame, bytes):
            return await self.send_binary(frame)
        return await self.send_text(frame)

    async def send_binary(self, data: bytes) -> float:
        """Send a binary frame; return the time taken just before the write."""
        frame = bytes(data)
        return await self._sent("binary", frame, lambda: self.transport.send_binary(frame))

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

    def _ping_control(self, what: str) -> PingControl:
        transport = self.transport
        if not isinstance(transport, PingControl):
            raise UsageError(
                f"client {self.name} cannot {what}: its {transport.kind} connection "
                "has no protocol pings"
            )
        return transport

    async def send_ping(self, data: bytes | None = None) -> float:
        """Send a protocol ping; return its send time (the pong lands in ``pongs``)."""
        control = self._ping_control("send a ping")
        at = await self._sent("ping", data or b"", lambda: control.send_ping(data))
        self.last_ping_sent = at
        return at

    def set_answer_pings(self, answer: bool) -> None:
        """Answer (True) or ignore (False) protocol pings from now on."""
        self._ping_control("stop answering pings" if not answer else "answer pings")
        cast(PingControl, self.transport).set_answer_pings(answer)

    # -- waiting ------------------------------------------------------------------

    def _notify(self) -> None:
        if self._watches:
            poke(self._watches)
        self._on_change()

    async def wait(
        self,
        probe: Callable[[Client], T | None],
        timeout: float,  # noqa: ASYNC109 - expiry is a result (None), not an error
        until: float | None = None,
    ) -> T | None:
        """Run ``probe`` (on the loop) now and after every message, ping, pong and close;
        its first non-None result, or None at ``timeout`` from now (or at ``until``)."""
        return await watch(self._watches, lambda: probe(self), timeout, until)


_JSON = JsonCodec()


def _index(msg: Message) -> int:
    return msg.index
