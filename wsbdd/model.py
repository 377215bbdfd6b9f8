"""Plain data records shared by the matching core, the client runtime and reports.

Nothing here does I/O. Every time is a ``time.monotonic()`` reading taken on
the event loop the moment the event happened (see :data:`now`).
"""

from __future__ import annotations

import enum
import json
import time
from dataclasses import dataclass, field
from typing import Any, Final, Literal

__all__ = [
    "NOT_JSON",
    "CloseInfo",
    "ConnectOutcome",
    "ConnectResult",
    "ConnectionSummary",
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

    ``payload`` is the parsed JSON value of a text message, or :data:`NOT_JSON`
    for binary frames and text that does not parse.
    """

    client: str
    index: int
    kind: FrameKind
    data: str | bytes
    received_at: float
    payload: Any = NOT_JSON

    @classmethod
    def parse(cls, client: str, index: int, data: str | bytes, at: float) -> Message:
        """Build a message from a raw frame, parsing JSON text when possible."""
        if isinstance(data, str):
            try:
                payload: Any = json.loads(data)
            except ValueError:
                payload = NOT_JSON
            return cls(client, index, "text", data, at, payload)
        return cls(client, index, "binary", bytes(data), at, NOT_JSON)

    @property
    def is_json(self) -> bool:
        """True when the message is text holding valid JSON."""
        return self.payload is not NOT_JSON

    def display(self, limit: int = 500) -> str:
        """A readable one-line form: the text, or ``<binary N bytes: hex>``."""
        if isinstance(self.data, bytes):
            shown = self.data[: limit // 2].hex()
            more = "…" if len(self.data) * 2 > len(shown) else ""
            return f"<binary {len(self.data)} bytes: {shown}{more}>"
        text = self.data
        return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


@dataclass(frozen=True, slots=True)
class CloseInfo:
    """How a connection ended.

    ``code`` is 1006 and ``clean`` is False when the TCP connection was cut
    without a close frame. ``initiated_by`` says who started the close.
    """

    code: int
    reason: str
    initiated_by: Literal["server", "client", "network"]
    clean: bool
    at: float

    def describe(self) -> str:
        """Reads after "was": ``closed by the server with code 4401 "unauthorized"``."""
        if not self.clean:
            return f"cut without a close frame (code {self.code})"
        who = {"server": "the server", "client": "the client", "network": "the network"}
        reason = f' "{self.reason}"' if self.reason else ""
        return f"closed by {who[self.initiated_by]} with code {self.code}{reason}"


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
