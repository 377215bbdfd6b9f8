"""Tiny WebSocket/TCP servers for the client runtime's integration tests.

Every server runs on its own event loop in its own thread (a second
:class:`~wsbdd.runtime.LoopThread`), separate from the client runtime's loop,
and listens on 127.0.0.1, port 0. Tests drive a server through
:meth:`ServerThread.run` (a coroutine on the server loop) and observe what
it saw through :class:`FixtureServer` (connections, closes, received).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from wsbdd.core.records import now
from wsbdd.runtime import LoopThread

T = TypeVar("T")

Handler = Callable[[ServerConnection], Awaitable[None]]


@dataclass
class ServerClose:
    """What the server saw of a connection's end."""

    code: int | None
    reason: str | None
    rcvd: bool


@dataclass
class FixtureServer:
    """One listening server plus what it observed."""

    url: str
    server: Any
    connections: list[ServerConnection] = field(default_factory=list)
    received: list[str | bytes] = field(default_factory=list)
    closes: list[ServerClose] = field(default_factory=list)
    changed: asyncio.Condition | None = None

    async def notify(self) -> None:
        assert self.changed is not None
        async with self.changed:
            self.changed.notify_all()

    async def until(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        """Wait (on the server loop) until ``predicate()`` holds."""
        assert self.changed is not None
        async with asyncio.timeout(within), self.changed:
            await self.changed.wait_for(predicate)


async def echo(ws: ServerConnection) -> None:
    """Echo every message back."""
    async for message in ws:
        await ws.send(message)


async def hold(ws: ServerConnection) -> None:
    """Keep the connection open, reading (and discarding) what arrives."""
    async for _message in ws:
        pass


class ServerThread:
    """Runs fixture servers on a dedicated loop thread."""

    def __init__(self) -> None:
        self.loop = LoopThread("fixture-servers")
        self.loop.start()
        self._servers: list[Server | asyncio.Server] = []
        self._fixtures: list[FixtureServer] = []
        self._writers: list[asyncio.StreamWriter] = []

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run ``coro`` on the server loop."""
        return self.loop.run(coro, timeout)

    def connection(self, fixture: FixtureServer, index: int = 0) -> ServerConnection:
        """The server side of the ``index``-th connection (waiting for it)."""
        self.run(fixture.until(lambda: len(fixture.connections) > index))
        return fixture.connections[index]

    def websocket(self, handler: Handler = echo, **kwargs: Any) -> FixtureServer:
        """Start a websockets server running ``handler`` for each connection.

        The wrapper records every connection, every message the handler does
        not consume is up to the handler; the close as the server saw it is
        recorded after the handler returns (or fails).
        """

        async def start() -> FixtureServer:
            fixture = FixtureServer(url="", server=None, changed=asyncio.Condition())

            async def wrapped(ws: ServerConnection) -> None:
                fixture.connections.append(ws)
                await fixture.notify()
                try:
                    await handler(ws)
                except ConnectionClosed:
                    pass
                finally:
                    await ws.wait_closed()
                    rcvd = ws.protocol.close_rcvd
                    fixture.closes.append(
                        ServerClose(
                            rcvd.code if rcvd is not None else 1006,
                            rcvd.reason if rcvd is not None else None,
                            rcvd is not None,
                        )
                    )
                    await fixture.notify()

            kwargs.setdefault("ping_interval", None)
            server = await serve(wrapped, "127.0.0.1", 0, **kwargs)
            port = server.sockets[0].getsockname()[1]
            fixture.url, fixture.server = f"ws://127.0.0.1:{port}", server
            self._servers.append(server)
            self._fixtures.append(fixture)
            return fixture

        return self.run(start())

    def silent_tcp(self) -> tuple[str, list[asyncio.StreamWriter]]:
        """A TCP server that accepts and never answers the handshake."""
        writers = self._writers

        async def start() -> str:
            async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                writers.append(writer)
                await reader.read()  # until the client gives up
                writer.close()

            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            self._servers.append(server)
            return f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"

        return self.run(start()), writers

    def close(self) -> None:
        """Close every server and stop the loop."""

        async def stop() -> None:
            for fixture in self._fixtures:
                for ws in fixture.connections:
                    ws.transport.abort()  # tests leave some connections deaf or paused
            for writer in self._writers:
                writer.transport.abort()
            for server in self._servers:
                server.close()
            for server in self._servers:
                try:
                    async with asyncio.timeout(3):
                        await server.wait_closed()
                except TimeoutError:
                    pass

        try:
            self.run(stop(), 10)
        finally:
            self.loop.stop()


def closed_port() -> int:
    """A local port nobody listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def push(ws: ServerConnection, message: str | bytes, *, text: bool | None = None) -> float:
    """Send from the server; return ``now()`` taken just before the write."""
    at = now()
    await ws.send(message, text=text)
    return at
