"""Helpers for the SSE tests: a recording TransportEvents, raw hostile servers, sse-starlette."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import uvicorn

from wsbdd.core.records import CloseInfo

T = TypeVar("T")

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def run(coro: Coroutine[Any, Any, T], timeout: float = 20.0) -> T:
    """Run one test coroutine with an overall deadline."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


@dataclass
class Recorder:
    """A TransportEvents that records what a transport reports, and lets a test wait for it."""

    messages: list[tuple[str | bytes, float, dict[str, Any]]] = field(default_factory=list)
    closes: list[CloseInfo] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def on_message(
        self, data: str | bytes, at: float, meta: Mapping[str, Any] | None = None
    ) -> None:
        self.messages.append((data, at, dict(meta or {})))
        self._changed.set()

    def on_control(self, kind: str, at: float, data: bytes = b"") -> None:
        self._changed.set()

    def on_closed(self, info: CloseInfo) -> None:
        self.closes.append(info)
        self._changed.set()

    async def until(self, done: Callable[[], bool], limit: float = 5.0) -> None:
        """Wait (bounded) until ``done()`` holds, woken by every report."""
        async with asyncio.timeout(limit):
            while not done():
                self._changed.clear()
                await self._changed.wait()

    async def messages_count(self, count: int, limit: float = 5.0) -> None:
        await self.until(lambda: len(self.messages) >= count, limit)

    async def closed(self, limit: float = 5.0) -> CloseInfo:
        await self.until(lambda: bool(self.closes), limit)
        return self.closes[0]


async def read_head(reader: asyncio.StreamReader) -> bytes:
    """The request head (up to the blank line)."""
    return await reader.readuntil(b"\r\n\r\n")


STREAM_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
    b"Connection: close\r\n\r\n"
)


@contextlib.asynccontextmanager
async def raw_server(handler: Handler) -> AsyncIterator[str]:
    """A raw TCP server on 127.0.0.1:0 answering with ``handler``; yields its http:// URL."""
    tasks: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            tasks.discard(task)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@contextlib.asynccontextmanager
async def asgi_server(app: Any) -> AsyncIterator[str]:
    """``app`` under uvicorn on 127.0.0.1:0 in this loop; yields its http:// URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            async with asyncio.timeout(3):
                await task
        sock.close()
