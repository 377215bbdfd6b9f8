"""Plain data records shared by the matching core, the client runtime and reports.

Nothing here does I/O. Every time is a ``time.monotonic()`` reading taken on
the event loop the moment the event happened (see :data:`now`).
"""

from __future__ import annotations

import enum
import json
import time
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

from wsbdd.core.close_texts import describe_close

__all__ = [
    "NOT_JSON",
    "CloseInfo",
    "ConnectOutcome",
    "ConnectResult",
    "ConnectionSummary",
    "Decoder",
    "FrameKind",
    "HandshakeInfo",
    "Message",
    "NotJson",
    "TranscriptEvent",
    "now",
]

now = time.monotonic
"""The one clock of wsbdd: monotonic seconds, shared by every thread."""


class NotJson(enum.Enum):
    """Marker for a message whose payload is not JSON (binary, or plain text)."""

    NOT_JSON = "not JSON"


NOT_JSON: Final = NotJson.NOT_JSON

FrameKind = Literal["text", "binary"]


@dataclass(slots=True, eq=False)
class Message:
    """One WebSocket message received by (or sent from) a client.

    ``payload`` is the frame's value: the parsed JSON of a text message, or
    what the client's codec decoded (MessagePack, CBOR, Protobuf); else
    :data:`NOT_JSON` (binary frames without a codec, text that does not
    parse, a frame the codec could not decode). ``codec`` names the codec
    that was tried ("" for plain JSON text) and ``problem`` says why it could
    not decode the frame. ``meta`` is what the transport knows besides the data
    (SSE: ``event``, ``id``, ``retry``; Socket.IO: ``event``, ``namespace``); empty
    for WebSocket frames.
    """

    client: str
    index: int
    kind: FrameKind
    data: str | bytes
    received_at: float
    payload: Any = NOT_JSON
    codec: str = ""
    problem: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(
        cls, client: str, index: int, data: str | bytes, at: float, codec: Decoder | None = None
    ) -> Message:
        """Build a message from a raw frame: JSON text, or what ``codec`` decodes."""
        if codec is None:  # the hot path: JSON text
            if isinstance(data, str):
                try:
                    payload: Any = json.loads(data)
                except ValueError:
                    payload = NOT_JSON
                return cls(client, index, "text", data, at, payload)
            return cls(client, index, "binary", bytes(data), at)
        kind: FrameKind = "text" if isinstance(data, str) else "binary"
        message = cls(client, index, kind, data if isinstance(data, str) else bytes(data), at)
        message.decode_with(codec)
        return message

    def decode_with(self, codec: Decoder) -> None:
        """Decode the frame again with ``codec`` (a codec chosen after it arrived)."""
        self.codec = "" if codec.name == "json" else codec.name
        try:
            self.payload = codec.decode(self.data)
            self.problem = ""
        except ValueError as exc:
            self.payload = NOT_JSON
            self.problem = str(exc)

    @property
    def is_json(self) -> bool:
        """True when the message has a value the JSON steps can match (decoded or JSON text)."""
        return self.payload is not NOT_JSON

    def display(self, limit: int = 500) -> str:
        """A readable one-line form: the text; a decoded value with its hex; else the hex."""
        if isinstance(self.data, bytes):
            head = self.data[: limit // 2]
            shown = head.hex(" ") if self.codec else head.hex()
            more = "…" if len(self.data) > limit // 2 else ""
            frame = f"<binary {len(self.data)} bytes: {shown}{more}>"
            if self.codec and self.is_json:
                value = json.dumps(self.payload, ensure_ascii=False, separators=(",", ":"))
                value = value if len(value) <= limit else value[:limit] + "…"
                return f"{value} ({self.codec} {frame[1:-1]})"
            if self.problem:
                return f"{frame} ({self.problem})"
            return frame
        text = self.data
        shown_text = text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"
        if self.problem and self.codec:
            return f"{shown_text} ({self.problem})"
        return shown_text


class Decoder(Protocol):
    """What :meth:`Message.parse` needs of a codec (see :mod:`wsbdd.core.codecs`)."""

    name: str

    def decode(self, data: str | bytes) -> Any:
        """The frame's value; ``ValueError`` (a ``CodecError``) with the reason."""


@dataclass(frozen=True, slots=True)
class CloseInfo:
    """How a connection ended.

    ``code`` is 1006 and ``clean`` is False when the TCP connection was cut
    (no closing handshake). ``initiated_by`` says who started the close. How it
    is worded is :mod:`wsbdd.core.close_texts`' job.
    """

    code: int
    reason: str
    initiated_by: Literal["server", "client", "network"]
    clean: bool
    at: float

    def describe(self) -> str:
        """Reads after "was": ``closed by the server with code 4401 "unauthorized"``.

        The wording lives in :func:`wsbdd.core.close_texts.describe_close`.
        """
        return describe_close(self)


@dataclass(frozen=True, slots=True)
class HandshakeInfo:
    """The opening handshake as sent and answered (headers already redacted)."""

    url: str
    request_headers: tuple[tuple[str, str], ...] = ()
    status: int | None = None
    response_headers: tuple[tuple[str, str], ...] = ()
    subprotocol: str | None = None


class ConnectOutcome(enum.Enum):
    """What became of a connection attempt."""

    OPEN = "open"
    REJECTED = "handshake rejected"
    REFUSED = "connection refused"
    TIMED_OUT = "handshake timed out"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ConnectResult:
    """The recorded outcome of "client A connects": never raises by itself."""

    outcome: ConnectOutcome
    handshake: HandshakeInfo
    elapsed: float
    detail: str = ""

    @property
    def opened(self) -> bool:
        return self.outcome is ConnectOutcome.OPEN


@dataclass(frozen=True, slots=True)
class ConnectionSummary:
    """One of a client's connections, in order (``number`` 1, 2... after reconnects).

    ``started_at`` is when the attempt began; ``close`` is None while it is open.
    """

    number: int
    started_at: float
    result: ConnectResult
    close: CloseInfo | None


@dataclass(frozen=True, slots=True)
class TranscriptEvent:
    """One line of a client's transcript, for the report.

    ``direction`` is ``sent`` or ``received`` for frames, ``event`` for
    open/close/drop/errors. ``data`` is the frame payload (text, or bytes for
    binary), or a description for events.
    """

    at: float
    direction: Literal["sent", "received", "event"]
    kind: Literal["text", "binary", "ping", "pong", "open", "close", "drop", "error"]
    data: str | bytes
    meta: dict[str, Any] = field(default_factory=dict)
