"""Helpers for the reference-server tests: bounded waits only."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import struct
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection, connect

from wsbdd.server import ReferenceServer, ServerOptions

T = TypeVar("T")

FAST = {"ping_interval": 5.0, "ping_timeout": 5.0, "close_timeout": 1.0, "history": 50}


def run(coro: Coroutine[Any, Any, T], timeout: float = 20.0) -> T:
    """Run one test coroutine with an overall deadline."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


@contextlib.asynccontextmanager
async def serving(*bugs: str, **options: Any) -> AsyncIterator[ReferenceServer]:
    """An in-process server on a free port."""
    merged = {**FAST, **options}
    async with ReferenceServer(ServerOptions(bugs=frozenset(bugs), **merged)) as server:
        yield server


async def client(
    server: ReferenceServer | str, user: str = "alice", *, token: str | None = None,
    welcome: bool = True, **kwargs: Any,
) -> ClientConnection:
    """Connect as ``user`` (token in the query) and consume the welcome."""
    url = server if isinstance(server, str) else server.ws_url
    token = f"{user}-token" if token is None else token
    ws = await connect(f"{url}?token={token}", open_timeout=5, close_timeout=1, **kwargs)
    if welcome:
        frame = await recv(ws, what="welcome")
        assert frame["type"] == "welcome", frame
    return ws


async def recv(ws: ClientConnection, limit: float = 2.0, what: str = "a message") -> Any:
    """The next JSON frame, or AssertionError after ``limit``."""
    try:
        raw = await asyncio.wait_for(ws.recv(), limit)
    except TimeoutError:
        raise AssertionError(f"no {what} within {limit} s") from None
    return json.loads(raw)


async def recv_type(ws: ClientConnection, kind: str, limit: float = 2.0) -> Any:
    """The next frame of type ``kind`` (others skipped), bounded."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    seen = []
    while True:
        left = deadline - loop.time()
        if left <= 0:
            raise AssertionError(f"no {kind!r} within {limit} s; got {seen}")
        frame = await recv(ws, left, kind)
        if frame.get("type") == kind:
            return frame
        seen.append(frame)


async def nothing(ws: ClientConnection, within: float = 0.3) -> None:
    """Assert that no frame arrives for ``within`` seconds."""
    try:
        raw = await asyncio.wait_for(ws.recv(), within)
    except TimeoutError:
        return
    raise AssertionError(f"expected nothing, got {raw!r}")


async def closed(ws: ClientConnection, limit: float = 3.0) -> tuple[int | None, str | None]:
    """Wait for the close; (code, reason) as received (1006/None when cut)."""
    try:
        await asyncio.wait_for(ws.wait_closed(), limit)
    except TimeoutError:
        raise AssertionError(f"connection still open after {limit} s") from None
    return ws.close_code, ws.close_reason


async def subscribe(ws: ClientConnection, channel: str, **extra: Any) -> Any:
    """Send subscribe and return the answer (subscribed or error)."""
    await ws.send(json.dumps({"type": "subscribe", "channel": channel, **extra}))
    return await recv(ws, what=f"answer to subscribe {channel}")


async def publish(ws: ClientConnection, channel: str, text: str, **extra: Any) -> None:
    """Send a chat message."""
    await ws.send(json.dumps({"type": "message", "channel": channel, "text": text, **extra}))


class RawClient:
    """A bare WebSocket client over asyncio streams: reads frames only when told.

    It never answers pings, so it can play a dead or slow peer.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int, token: str = "alice-token", rcvbuf: int | None = None,
                   ) -> RawClient:
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=2**20)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET /ws?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 3)
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    async def frame(self, limit: float = 2.0) -> tuple[int, bytes] | None:
        """(opcode, payload) of the next frame; None at EOF."""
        try:
            return await asyncio.wait_for(self._frame(), limit)
        except asyncio.IncompleteReadError:
            return None

    async def _frame(self) -> tuple[int, bytes]:
        b0, b1 = await self.reader.readexactly(2)
        length = b1 & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return b0 & 0x0F, await self.reader.readexactly(length)

    def send_text(self, text: str) -> None:
        """Write one masked text frame (zero mask key)."""
        data = text.encode()
        if len(data) < 126:
            head = bytes([0x81, 0x80 | len(data)])
        else:
            head = bytes([0x81, 0x80 | 126]) + struct.pack("!H", len(data))
        self.writer.write(head + b"\x00\x00\x00\x00" + data)

    def close(self) -> None:
        self.writer.transport.abort()


def close_code(payload: bytes) -> int:
    """The code of a close frame payload."""
    return int(struct.unpack("!H", payload[:2])[0])
