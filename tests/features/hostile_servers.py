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
``close1005``  raw: on the client's first frame, ``{"type": "hello"}`` and a close
               frame with code 1005 on the wire (invalid), in one write; then it
               only reads (it never closes TCP, never answers a close)
``close999``   the same with close code 999
``longreason`` the same with a close reason of 124 bytes (a control frame > 125)
``rsv``        the same with a text frame that has a reserved bit set
=============  ================================================================
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from websockets.asyncio.server import ServerConnection

from tests.integration.fixture_servers import ServerThread
from wsbdd.core.records import now

__all__ = [
    "BIG_FRAME",
    "FLOOD_COUNT",
    "INVALID_FRAMES",
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


INVALID_FRAMES = {
    "close1005": b"\x88\x02\x03\xed",
    "close999": b"\x88\x02\x03\xe7",
    "longreason": b"\x88\x7e\x00\x7e\x03\xe8" + b"r" * 124,
    "rsv": b"\xa1\x05hello",
}
"""What each raw server sends after its hello (server frames are never masked)."""

_HELLO_FRAME = b"\x81\x11" + b'{"type": "hello"}'
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _accept(request: bytes) -> bytes:
    """The 101 answer to a client's opening handshake (no extension, no subprotocol)."""
    key = b""
    for line in request.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )


def close_code_in(data: bytes) -> int | None:
    """The code of the first close frame among the client's (masked) frames, if any."""
    at = 0
    while at + 2 <= len(data):
        opcode, length = data[at] & 0x0F, data[at + 1] & 0x7F
        at += 2
        if length == 126:
            (length,) = struct.unpack("!H", data[at : at + 2])
            at += 2
        elif length == 127:
            (length,) = struct.unpack("!Q", data[at : at + 8])
            at += 8
        mask, at = data[at : at + 4], at + 4
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(data[at : at + length]))
        at += length
        if opcode == 0x8 and len(payload) >= 2:
            return int(struct.unpack("!H", payload[:2])[0])
    return None


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
            for name, frame in INVALID_FRAMES.items():
                self._raw(name, frame)
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

    def _raw(self, name: str, frame: bytes) -> None:
        """A hand-made WebSocket server that sends ``frame`` after its hello (see the table)."""
        record = HostileServer(name, "")

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            visit = Visit(now())
            record.visits.append(visit)
            self._writers.append(writer)
            received = b""
            try:
                writer.write(_accept(await reader.readuntil(b"\r\n\r\n")))
                received = await reader.read(65536)  # the client's first frame
                writer.write(_HELLO_FRAME + frame)
                while chunk := await reader.read(65536):  # until the client closes TCP
                    received += chunk
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                visit.end(close_code_in(received))
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
