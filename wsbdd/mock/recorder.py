"""Everything a mock server sees, as a transcript per connection (no I/O).

Each connection attempt is a :class:`MockConnection`: when its handshake
request arrived, its path, query, headers and subprotocol, the status it got
(101, or the refusal), every frame in both directions with its stamp, events
(a latency drawn, a reply that could not be filled) and how it ended. The
server writes here on the loop thread; steps read on theirs after a wait has
synchronised them. Listeners hear of every change (the waits' wake-up).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from wsbdd.core.records import NOT_JSON, CloseInfo, Message
from wsbdd.mock.analytics import Attempt
from wsbdd.mock.identity import DEFAULT_KEYS, ClientKey, identify

__all__ = ["Change", "MockConnection", "MockFrame", "MockRecord"]

Change = Literal["attempt", "refused", "opened", "frame", "ended"]
"""What changed in a record: listeners may hear only some kinds."""


@dataclass(frozen=True, slots=True)
class MockFrame:
    """One frame on a mock connection, ``received`` from the app or ``sent`` to it."""

    at: float
    direction: Literal["received", "sent", "event"]
    data: str | bytes


@dataclass(eq=False)
class MockConnection:
    """One connection attempt and, when it opened, its whole life."""

    index: int
    at: float
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    status: int | None = None
    subprotocol: str | None = None
    opened_at: float | None = None
    frames: list[MockFrame] = field(default_factory=list)
    closed: CloseInfo | None = None
    """How it ended ("server" is the mock); None while open, or for a refusal."""
    refused_at: float | None = None
    first_message: Any = None

    @classmethod
    def from_request(
        cls, index: int, at: float, target: str, headers: Sequence[tuple[str, str]]
    ) -> MockConnection:
        parts = urlsplit(target)
        query = tuple(parse_qsl(parts.query, keep_blank_values=True))
        return cls(index, at, parts.path or "/", query, tuple(headers))

    @property
    def accepted(self) -> bool:
        return self.opened_at is not None

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.closed is None

    @property
    def ended_at(self) -> float | None:
        """When the connection ended or the refusal was sent; None while open or pending."""
        return self.closed.at if self.closed is not None else self.refused_at

    def received(self) -> list[MockFrame]:
        return [f for f in self.frames if f.direction == "received"]

    def client(self, keys: Sequence[ClientKey]) -> str | None:
        return identify(keys, self.query, self.headers, self.first_message)

    def summary(self) -> str:
        """One line: ``#3 /ws?client=c1 open since +0.2 s, 2 frames received``."""
        query = "&".join(f"{k}={v}" for k, v in self.query)
        target = self.path + (f"?{query}" if query else "")
        if self.opened_at is None:
            state = f"refused with status {self.status}" if self.status else "handshake pending"
        elif self.closed is None:
            state = "open"
        else:
            state = self.closed.describe()
        return f"#{self.index} {target} {state}, {len(self.received())} frames received"


class MockRecord:
    """All connections one mock server saw, in arrival order, and who listens for changes."""

    def __init__(self) -> None:
        self.connections: list[MockConnection] = []
        self.keys: tuple[ClientKey, ...] = DEFAULT_KEYS
        self.disruption: float | None = None
        self.disrupted_by = ""
        self._listeners: list[tuple[Callable[[], None], frozenset[str] | None]] = []
        self._consumed: set[tuple[int, int]] = set()

    # -- writing (the server, on the loop thread) ---------------------------------

    def listen(
        self, listener: Callable[[], None], kinds: Collection[Change] | None = None
    ) -> Callable[[], None]:
        """Call ``listener`` after every change (of ``kinds`` only); returns its remover."""
        entry = (listener, None if kinds is None else frozenset(kinds))
        self._listeners.append(entry)
        return lambda: self._listeners.remove(entry) if entry in self._listeners else None

    def changed(self, kind: Change) -> None:
        for listener, kinds in list(self._listeners):
            if kinds is None or kind in kinds:
                listener()

    def attempt(self, at: float, target: str, headers: Sequence[tuple[str, str]]) -> MockConnection:
        conn = MockConnection.from_request(len(self.connections), at, target, headers)
        self.connections.append(conn)
        self.changed("attempt")
        return conn

    def refused(self, conn: MockConnection, status: int, at: float) -> None:
        conn.status, conn.refused_at = status, at
        self.changed("refused")

    def opened(self, conn: MockConnection, at: float, subprotocol: str | None) -> None:
        conn.status, conn.opened_at, conn.subprotocol = 101, at, subprotocol
        self.changed("opened")

    def frame(self, conn: MockConnection, frame: MockFrame) -> None:
        if frame.direction == "received" and conn.first_message is None:
            conn.first_message = _payload(frame.data)
        conn.frames.append(frame)
        self.changed("frame")

    def ended(self, conn: MockConnection, close: CloseInfo) -> None:
        if conn.closed is None and conn.accepted:
            conn.closed = close
            self.changed("ended")

    def disrupt(self, at: float, what: str, *, weak: bool = False) -> None:
        """Mark the disruption reconnects are measured from (a refusal is ``weak``).

        A drop or a close replaces any earlier mark; a refusal window marks
        only when no drop or close has since the last one.
        """
        if weak and self.disrupted_by.startswith(("drop", "close")):
            return
        self.disruption, self.disrupted_by = at, what

    # -- reading (steps, after a wait) --------------------------------------------

    def open_connections(self) -> list[MockConnection]:
        return [c for c in self.connections if c.is_open]

    def attempts(self) -> tuple[list[Attempt], list[MockConnection]]:
        """Attempts with their client, and the connections no key identifies."""
        found: list[Attempt] = []
        unknown: list[MockConnection] = []
        for conn in self.connections:
            if conn.status is None:
                continue  # the handshake has not been answered yet
            client = conn.client(self.keys)
            if client is None:
                if conn.is_open and conn.first_message is None:
                    continue  # may still name itself in its first message
                unknown.append(conn)
            else:
                found.append(Attempt(client, conn.at, conn.accepted, conn.ended_at))
        return found, unknown

    def take_message(self, probe: Callable[[Message], bool]) -> Message | None:
        """The first unconsumed received message ``probe`` accepts, consumed."""
        for conn in self.connections:
            for index, frame in enumerate(conn.received()):
                if (conn.index, index) in self._consumed:
                    continue
                message = Message.parse(self._label(conn), index, frame.data, frame.at)
                if probe(message):
                    self._consumed.add((conn.index, index))
                    return message
        return None

    def _label(self, conn: MockConnection) -> str:
        """``#3 (c7)``: the connection and, when known, its client."""
        client = conn.client(self.keys)
        return f"#{conn.index} ({client})" if client else f"#{conn.index}"

    def messages(self) -> list[Message]:
        """Every received message, in arrival order."""
        found = [
            Message.parse(self._label(conn), i, frame.data, frame.at)
            for conn in self.connections
            for i, frame in enumerate(conn.received())
        ]
        return sorted(found, key=lambda m: m.received_at)


def _payload(data: str | bytes) -> Any:
    message = Message.parse("", 0, data, 0.0)
    return message.payload if message.payload is not NOT_JSON else None
