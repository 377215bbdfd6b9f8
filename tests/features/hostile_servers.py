"""Hostile servers for the feature-level robustness test (one misbehaviour each).

Each server listens on 127.0.0.1, port 0, on the fixture-server loop thread of
:class:`tests.integration.fixture_servers.ServerThread`, and keeps a
:class:`Visit` per accepted connection: when it was accepted, when it ended
and, for WebSocket servers, the close frame the server received (so a test
can tell a client closed by wsbdd's ``after_scenario`` from one the operating
system tore down when behave exited).

=============  ================================================================
server         what it does with every connection
=============  ================================================================
``json``       sends a text frame that is not JSON, then listens
``utf8``       sends ``{"type": "hello"}``, then a text frame of invalid UTF-8
``big``        sends a 10 MiB binary frame, then twice the same 10 MiB JSON text
               frame (no compression: the frames really are that big on the wire)
``silent``     raw TCP: accepts, reads, never answers the opening handshake
``cut``        sends ``{"type": "hello"}``, then closes TCP without a close frame
``flood``      sends 100,000 ``{"type": "flood", "n": i}``, then ``{"type": "end"}``
``echo``       a well-behaved echo server
=============  ================================================================
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from websockets.asyncio.server import ServerConnection

from tests.integration.fixture_servers import ServerThread
from wsbdd.model import now

__all__ = [
    "BIG_FRAME",
    "FLOOD_COUNT",
    "NOT_JSON_TEXT",
    "HostileServer",
    "HostileServers",
    "Visit",
]

NOT_JSON_TEXT = "<html>502 Bad Gateway</html> {oops"
"""What the ``json`` server sends instead of JSON."""

BIG_FRAME = 10 * 2**20
"""Size of each of the ``big`` server's frames: 10 MiB."""

FLOOD_COUNT = 100_000
"""How many messages the ``flood`` server sends before its ``end`` message."""

_FLUSH_EVERY = 500


@dataclass
class Visit:
    """One connection as a hostile server saw it (``now()`` stamps)."""

    accepted_at: float
    ended_at: float | None = None
    close_code: int | None = None
    """Code of the close frame the server received; None when none came."""
    done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    def end(self, close_code: int | None = None) -> None:
        self.ended_at, self.close_code = now(), close_code
        self.done.set()


@dataclass
class HostileServer:
    """One hostile server: its URL and the connections it saw."""

    name: str
    url: str
    visits: list[Visit] = field(default_factory=list)


Behaviour = Callable[[ServerConnection], Awaitable[None]]


async def _not_json(ws: ServerConnection) -> None:
    await ws.send(NOT_JSON_TEXT)


async def _invalid_utf8(ws: ServerConnection) -> None:
    await ws.send('{"type": "hello"}')
    await ws.send(b"\xff\xfe not utf-8 \xc3\x28", text=True)  # websockets does not check


async def _big(ws: ServerConnection) -> None:
    await ws.send(bytes(BIG_FRAME))
    prefix = '{"type": "big", "data": "'
    text = prefix + "x" * (BIG_FRAME - len(prefix) - 2) + '"}'
    await ws.send(text)
    await ws.send(text)


async def _cut(ws: ServerConnection) -> None:
    await ws.send('{"type": "hello"}')
    await ws.drain()
    ws.transport.close()  # FIN once the hello is written: no close frame


async def _flood(ws: ServerConnection) -> None:
    # Frames are queued in bulk and flushed every few hundred: a fast server.
    for i in range(FLOOD_COUNT):
        ws.protocol.send_text(b'{"type": "flood", "n": %d}' % i)
        if i % _FLUSH_EVERY == _FLUSH_EVERY - 1:
            ws.send_data()
            await ws.drain()
    await ws.send('{"type": "end"}')


async def _echo(ws: ServerConnection) -> None:
    async for message in ws:
        await ws.send(message)


_BEHAVIOURS: dict[str, Behaviour] = {
    "json": _not_json,
    "utf8": _invalid_utf8,
    "big": _big,
    "cut": _cut,
    "flood": _flood,
    "echo": _echo,
}


class HostileServers:
    """Every hostile server, on one fixture-server loop thread; ``close()`` stops them."""

    def __init__(self) -> None:
        self.thread = ServerThread()
        self.servers: dict[str, HostileServer] = {}
        self._silent: list[asyncio.Server] = []
        self._writers: list[asyncio.StreamWriter] = []
        try:
            for name, behaviour in _BEHAVIOURS.items():
                self._websocket(name, behaviour)
            self._silent_tcp("silent")
        except BaseException:
            self.close()
            raise

    def __getitem__(self, name: str) -> HostileServer:
        return self.servers[name]

    def urls(self) -> dict[str, str]:
        """``HOSTILE_<NAME>`` → URL, for an environment file."""
        return {f"HOSTILE_{name.upper()}": s.url for name, s in self.servers.items()}

    def visits(self) -> list[tuple[str, Visit]]:
        """Every connection of every server, in the order they were accepted."""
        everything = [(name, v) for name, s in self.servers.items() for v in s.visits]
        return sorted(everything, key=lambda item: item[1].accepted_at)

    def wait_all_ended(self, within: float) -> list[tuple[str, Visit]]:
        """Wait until every connection has ended; return those still open after ``within``."""

        async def settle() -> None:
            pending = [asyncio.ensure_future(v.done.wait()) for _, v in self.visits()]
            if pending:
                _done, still = await asyncio.wait(pending, timeout=within)
                for waiter in still:
                    waiter.cancel()

        self.thread.run(settle(), within + 5)
        return [(name, v) for name, v in self.visits() if not v.ended]

    def _websocket(self, name: str, behaviour: Behaviour) -> None:
        record = HostileServer(name, "")

        async def handler(ws: ServerConnection) -> None:
            visit = Visit(now())
            record.visits.append(visit)
            try:
                await behaviour(ws)
                async for _message in ws:  # listen (and discard) until the client goes
                    pass
            finally:
                await ws.wait_closed()
                rcvd = ws.protocol.close_rcvd
                visit.end(rcvd.code if rcvd is not None else None)

        # No compression: the big server's frames must be 10 MiB on the wire.
        fixture = self.thread.websocket(handler, compression=None, max_size=None)
        record.url = fixture.url
        self.servers[name] = record

    def _silent_tcp(self, name: str) -> None:
        record = HostileServer(name, "")

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            visit = Visit(now())
            record.visits.append(visit)
            self._writers.append(writer)
            try:
                await reader.read()  # until the client gives up: EOF
            finally:
                visit.end()
                writer.close()

        async def start() -> str:
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            self._silent.append(server)
            return f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"

        record.url = self.thread.run(start())
        self.servers[name] = record

    def close(self) -> None:
        """Stop every server and the loop thread (aborting what is still open)."""

        async def stop() -> None:
            for writer in self._writers:
                writer.transport.abort()
            for server in self._silent:
                server.close()

        try:
            self.thread.run(stop())
        finally:
            self.thread.close()
