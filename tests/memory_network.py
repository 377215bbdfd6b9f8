"""An in-memory network for crowd tests: websockets' own client runs, no socket opens.

Crowd members are websockets ``ClientConnection`` objects (light ones, see
``wsbdd.runtime._crowd_members``) opened with ``websockets.connect()``, which
asks the event loop for a TCP connection. :meth:`MemoryNetwork.install`
replaces that loop's ``create_connection``: each connection becomes a pair of
in-memory transports, and the server end is websockets' sans-I/O
``ServerProtocol`` driven here, so both sides speak the real protocol
(handshake, frames, closing handshake) while a test scripts what the server
does through :class:`MemoryPeer`. Bytes cross with ``loop.call_soon``, as a
socket's would arrive on a later loop turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

__all__ = ["MemoryNetwork", "MemoryPeer"]


class _ClientEnd(asyncio.Transport):
    """The client's transport: what the client writes goes to the server end."""

    def __init__(self, loop: asyncio.AbstractEventLoop, peer: MemoryPeer) -> None:
        super().__init__()
        self._loop = loop
        self._peer = peer
        self._closing = False
        self.protocol: Any = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._closing:
            self._loop.call_soon(self._peer.receive, bytes(data))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self._loop.call_soon(self._peer.receive_eof)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._hang_up()

    def abort(self) -> None:
        self._hang_up()

    def _hang_up(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._loop.call_soon(self._peer.receive_eof)
        self._loop.call_soon(self.protocol.connection_lost, None)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


class MemoryPeer:
    """The server end of one in-memory connection (websockets' sans-I/O server)."""

    def __init__(self, network: MemoryNetwork, loop: asyncio.AbstractEventLoop) -> None:
        self.network = network
        self.protocol = ServerProtocol()
        self.request: Request | None = None
        self.client = _ClientEnd(loop, self)
        self._loop = loop

    @property
    def open(self) -> bool:
        return self.protocol.state is State.OPEN

    @property
    def path(self) -> str:
        """The request target, query included (``/ws?token=carol-token``)."""
        return self.request.path if self.request is not None else ""

    def receive(self, data: bytes) -> None:
        self.protocol.receive_data(data)
        self._handle()

    def receive_eof(self) -> None:
        if self.protocol.state is not State.CLOSED:
            self.protocol.receive_eof()
            self._handle()

    def push(self, text: str) -> None:
        """Send a text frame to the client."""
        if self.open:
            self.protocol.send_text(text.encode())
            self._flush()

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake from the server."""
        if self.open:
            self.protocol.send_close(code, reason)
            self._flush()

    def _handle(self) -> None:
        for event in self.protocol.events_received():
            if isinstance(event, Request):
                self.request = event
                refusal = self.network.refuse(self) if self.network.refuse else None
                if refusal is not None:
                    self.protocol.send_response(self.protocol.reject(refusal, "refused\n"))
                    self._flush()
                    continue
                self.protocol.send_response(self.protocol.accept(event))
                self._flush()
                self.network.opened.append(self)
                if self.network.on_open is not None:
                    self.network.on_open(self)
            elif (
                isinstance(event, Frame)
                and event.opcode is Opcode.TEXT
                and self.network.on_message is not None
            ):
                self.network.on_message(self, event.data.decode())
        self._flush()

    def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self._loop.call_soon(self._to_client, data)
            else:  # end of stream: the server closes TCP
                self._loop.call_soon(self._end_client)

    def _to_client(self, data: bytes) -> None:
        if not self.client.is_closing():
            self.client.protocol.data_received(data)

    def _end_client(self) -> None:
        if not self.client.is_closing():
            self.client.protocol.eof_received()
            self.client.close()


class MemoryNetwork:
    """Answers a loop's ``create_connection`` with in-memory connections (see the module)."""

    def __init__(
        self,
        on_open: Callable[[MemoryPeer], None] | None = None,
        on_message: Callable[[MemoryPeer, str], None] | None = None,
        refuse: Callable[[MemoryPeer], int | None] | None = None,
    ) -> None:
        self.on_open = on_open
        self.on_message = on_message
        self.refuse = refuse
        """Return an HTTP status to refuse a handshake (None: accept it)."""
        self.opened: list[MemoryPeer] = []

    @property
    def peers(self) -> list[MemoryPeer]:
        """The connections still open."""
        return [p for p in self.opened if p.open]

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        """From now on every ``loop.create_connection`` opens an in-memory connection."""

        async def create_connection(
            protocol_factory: Callable[[], asyncio.Protocol], *args: Any, **kwargs: Any
        ) -> tuple[asyncio.Transport, asyncio.Protocol]:
            peer = MemoryPeer(self, loop)
            protocol = protocol_factory()
            peer.client.protocol = protocol
            protocol.connection_made(peer.client)
            return peer.client, protocol

        loop.create_connection = create_connection  # type: ignore[method-assign]
