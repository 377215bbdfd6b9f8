"""An in-memory transport: clients that run without a socket (like httpx's ``MockTransport``).

A test describes the server with a :class:`FakeServer` and hands it to the
manager as the factory of a kind::

    server = FakeServer(on_message=lambda peer, data: peer.push(data))   # an echo server
    manager = ClientManager(transports={"websocket": server})

Every connection then gets a :class:`FakeTransport` driven by that server:
``reject`` refuses the handshake with an HTTP status (and body), ``welcome``
messages are pushed the moment the connection opens, ``on_open(peer)`` and
``on_message(peer, data)`` script the rest through the :class:`FakePeer`
(``push`` a message, ``ping``/``pong``, ``close`` with a code and reason,
``drop`` with no closing handshake). ``server.peers`` lists every connection's
peer, so a test can push, close or drop later, and read ``peer.received``.
Stamps are ``now()`` at the moment the server side acts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from wsbdd.core.records import CloseInfo, ConnectOutcome, ConnectResult, HandshakeInfo, now

from ..request import ConnectRequest
from ..transport import ControlKind, TransportClosed, TransportEvents

__all__ = ["FakePeer", "FakeServer", "FakeTransport"]


class FakePeer:
    """The server side of one fake connection: what it received, and what it does next."""

    def __init__(self, transport: FakeTransport) -> None:
        self.transport = transport
        self.received: list[str | bytes] = []
        """Every message the client sent on this connection, in order."""
        self.pings: list[bytes] = []

    @property
    def open(self) -> bool:
        """True while the connection is open."""
        return self.transport.is_open

    def push(self, data: str | bytes, meta: Mapping[str, Any] | None = None) -> None:
        """Deliver one message to the client now."""
        self.transport.deliver(data, now(), meta)

    def control(self, kind: ControlKind, data: bytes = b"") -> None:
        """Send a protocol ping or pong to the client now."""
        self.transport.deliver_control(kind, now(), data)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """The server closes cleanly with ``code`` and ``reason``."""
        self.transport.end(CloseInfo(code, reason, "server", True, now()))

    def drop(self) -> None:
        """The server (or the network) cuts the connection (no closing handshake)."""
        self.transport.end(CloseInfo(1006, "", "network", False, now()))


class FakeServer:
    """A scripted server; ``server(request, name)`` makes one :class:`FakeTransport`."""

    def __init__(
        self,
        *,
        reject: int | None = None,
        reject_body: str = "",
        subprotocol: str | None = None,
        welcome: Sequence[str | bytes] = (),
        on_open: Callable[[FakePeer], None] | None = None,
        on_message: Callable[[FakePeer, str | bytes], None] | None = None,
    ) -> None:
        self.reject = reject
        self.reject_body = reject_body
        self.subprotocol = subprotocol
        self.welcome = tuple(welcome)
        self.on_open = on_open
        self.on_message = on_message
        self.peers: list[FakePeer] = []
        """Every connection's server side, in connection order."""
        self.requests: list[ConnectRequest] = []

    def __call__(self, request: ConnectRequest, name: str) -> FakeTransport:
        """The transport of one connection of client ``name``."""
        return FakeTransport(request, name, self)


class FakeTransport:
    """One in-memory connection to a :class:`FakeServer` (a :class:`Transport`)."""

    kind: Literal["fake"] = "fake"

    def __init__(
        self, request: ConnectRequest, name: str, server: FakeServer | None = None
    ) -> None:
        self.request = request
        self.name = name
        self.server = server if server is not None else FakeServer()
        self.peer = FakePeer(self)
        self.close_info: CloseInfo | None = None
        self._events: TransportEvents | None = None
        self._opened = False
        self._answer_pings = True

    @property
    def is_open(self) -> bool:
        """True between a successful open and the end."""
        return self._opened and self.close_info is None

    async def open(self, events: TransportEvents) -> ConnectResult:
        """Accept or reject at once, as the server says; then run its opening script."""
        self._events = events
        server, red = self.server, self.request.make_redactor()
        server.requests.append(self.request)
        url, sent = red.url(self.request.url), tuple(red.headers(self.request.headers))
        if server.reject is not None:
            body = f": {server.reject_body}" if server.reject_body else ""
            detail = f"HTTP {server.reject}{body}"
            handshake = HandshakeInfo(url, sent, server.reject)
            return ConnectResult(ConnectOutcome.REJECTED, handshake, 0.0, red.text(detail))
        self._opened = True
        server.peers.append(self.peer)
        handshake = HandshakeInfo(url, sent, 101, (), server.subprotocol)
        result = ConnectResult(ConnectOutcome.OPEN, handshake, 0.0)
        # The client records the open first: the script runs on the next loop turn.
        asyncio.get_running_loop().call_soon(self._greet)
        return result

    def _greet(self) -> None:
        for data in self.server.welcome:
            self.peer.push(data)
        if self.server.on_open is not None and self.is_open:
            self.server.on_open(self.peer)

    # -- the server side -------------------------------------------------------------

    def deliver(self, data: str | bytes, at: float, meta: Mapping[str, Any] | None) -> None:
        """Hand a message to the client (ignored once the connection ended)."""
        if self.is_open and self._events is not None:
            self._events.on_message(data, at, meta)

    def deliver_control(self, kind: ControlKind, at: float, data: bytes) -> None:
        """Hand a ping or pong to the client; a ping is answered unless told not to."""
        if self.is_open and self._events is not None:
            self._events.on_control(kind, at, data)
            if kind == "ping" and self._answer_pings:
                self.peer.pings.append(data)

    def end(self, info: CloseInfo) -> None:
        """The connection ended as ``info`` says (once)."""
        if not self._opened or self.close_info is not None:
            return
        self.close_info = info
        if self._events is not None:
            self._events.on_closed(info)

    # -- the client side ----------------------------------------------------------------

    def _sent(self, data: str | bytes) -> float:
        if not self.is_open:
            raise TransportClosed
        at = now()
        self.peer.received.append(data)
        if self.server.on_message is not None:
            self.server.on_message(self.peer, data)
        return at

    async def send_text(self, text: str) -> float:
        """The server receives ``text`` (and its script answers)."""
        return self._sent(text)

    async def send_binary(self, data: bytes) -> float:
        """The server receives ``data``."""
        return self._sent(data)

    async def send_ping(self, data: bytes | None) -> float:
        """A ping: the fake server answers with a pong at once."""
        if not self.is_open:
            raise TransportClosed
        at = now()
        self.deliver_control("pong", now(), data or b"")
        return at

    @property
    def answer_pings(self) -> bool:
        """Whether the server's pings are answered."""
        return self._answer_pings

    def set_answer_pings(self, answer: bool) -> None:
        """Answer (True) or ignore (False) the server's pings."""
        self._answer_pings = answer

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """The client closes; the server echoes its close frame."""
        self.end(CloseInfo(code, reason, "client", True, now()))

    async def drop(self) -> None:
        """The client cuts the connection."""
        self.end(CloseInfo(1006, "", "client", False, now()))

    async def shutdown(self) -> None:
        """Close if still open."""
        if self.is_open:
            await self.close()

    def abort(self) -> None:
        """Cut at once."""
        self.end(CloseInfo(1006, "", "client", False, now()))
