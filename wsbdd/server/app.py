"""``ReferenceServer``: wires options, hub, protocol and HTTP onto one websockets server."""

from __future__ import annotations

import asyncio
import contextlib
import http
import logging
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, NegotiationError
from websockets.http11 import Request, Response
from websockets.typing import Origin, Subprotocol

from .auth import UserTable, token_from_request
from .bugs import StormDetector
from .frontdoor import front_door
from .hub import Hub
from .options import ServerOptions
from .orders import OrderService
from .protocol import ProtocolHandler
from .session import Session
from .web import HttpApp, HttpRequest
from .wire import Wire

__all__ = [
    "SHUTDOWN_GRACE",
    "SUBPROTOCOLS",
    "TIME_SLICE",
    "WS_PATH",
    "ReferenceServer",
    "StopReport",
    "quiet_websockets_logger",
    "select_subprotocol",
]

TIME_SLICE = 0.005
"""Seconds a connection's handler may run before it yields to the event loop."""
SHUTDOWN_GRACE = 2.0
"""At most this long (and at most ``close_timeout``) a stop waits for peers to answer 1001."""


@dataclass(frozen=True, slots=True)
class StopReport:
    """What ``ReferenceServer.stop`` did: connections closed, of which cut, seconds taken."""

    connections: int
    cut: int
    seconds: float


SUBPROTOCOLS: tuple[Subprotocol, ...] = (Subprotocol("chat.v1"), Subprotocol("chat.v2"))
WS_PATH = "/ws"


def quiet_websockets_logger() -> logging.Logger:
    """A logger for websockets that swallows per-connection errors (no tracebacks)."""
    logger = logging.getLogger("wsbdd.server.websockets")
    logger.propagate = False
    logger.setLevel(logging.CRITICAL + 1)
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return logger


def select_subprotocol(
    connection: ServerConnection, offered: Sequence[Subprotocol]
) -> Subprotocol | None:
    """The client's first supported subprotocol; HTTP 400 when it offers only unknown ones."""
    if not offered:
        return None
    for name in offered:
        if name in SUBPROTOCOLS:
            return name
    raise NegotiationError(
        f"unsupported subprotocol(s) {', '.join(offered)}; supported: {', '.join(SUBPROTOCOLS)}"
    )


class ReferenceServer:
    """The reference real-time server, in process.

    ``await start()`` binds (port 0 picks a free port), ``await stop()`` closes
    every connection with 1001 "going away". Also an async context manager.
    """

    def __init__(self, options: ServerOptions | None = None) -> None:
        self.options = options or ServerOptions()
        self._server: Server | None = None
        self._port: int | None = None
        self._storm = StormDetector()
        # the bug switches the handshake consults, resolved once
        self._fragile_under_storm = self.options.bug("fragile_under_storm")
        self._wrong_close_code = self.options.bug("wrong_close_code")
        self.handshakes = 0
        self.hub: Hub | None = None

    # -- lifecycle -------------------------------------------------------
    async def start(self) -> None:
        """Bind and start serving; raises ``OSError`` when the port is taken."""
        if self._server is not None:
            raise RuntimeError("server already started")
        opts = self.options
        bugs = opts.bugs
        self.wire = Wire(opts.codec, max_depth=opts.max_depth)
        self.hub = Hub(
            history=opts.history,
            bugs=bugs,
            history_total=opts.history_total,
            history_bytes=opts.history_bytes,
            encode=self.wire.encode,
        )
        self.users = UserTable.resolve(opts.users)
        self.orders = OrderService(self.hub, paid_delay=opts.order_paid_delay, bugs=bugs)
        self.protocol = ProtocolHandler(
            self.hub, bugs=bugs, max_depth=opts.max_depth, wire=self.wire
        )
        self.http = HttpApp(
            self.hub,
            self.users,
            self.orders,
            self._extra_metrics,
            check_ownership=not opts.bug("no_ownership_check"),
        )
        heartbeat = not opts.bug("no_heartbeat")
        origins: list[Origin | None] | None = None
        if opts.origins is not None:
            origins = [Origin(o) for o in opts.origins]
            origins.append(None)  # non-browser clients send no Origin: allowed
        self._server = await serve(
            self._handle,
            opts.host,
            opts.port,
            origins=origins,
            select_subprotocol=select_subprotocol,
            subprotocols=list(SUBPROTOCOLS),
            compression=None,
            process_request=self._process_request,
            ping_interval=opts.ping_interval if heartbeat else None,
            ping_timeout=opts.ping_timeout if heartbeat else None,
            close_timeout=opts.close_timeout,
            max_size=opts.max_size,
            logger=quiet_websockets_logger(),
            create_connection=front_door(self.http),
            reuse_address=True,
        )
        self._port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> StopReport:
        """Stop listening, close every connection with 1001 "going away", return a summary.

        Deliveries stop at once and queued frames are dropped, so each close
        frame follows at most what a socket already holds. Peers get
        ``min(close_timeout, SHUTDOWN_GRACE)`` seconds in all to answer the
        close; the connections still open then are cut. The whole stop is
        bounded, whatever the load.
        """
        server, self._server = self._server, None
        if server is None:
            return StopReport(0, 0, 0.0)
        loop = asyncio.get_running_loop()
        started = loop.time()
        if self.hub is not None:
            self.hub.close()
        self.orders.close()
        connections = list(server.connections)
        server.close(code=1001, reason="going away")
        grace = min(self.options.close_timeout, SHUTDOWN_GRACE)
        cut = 0
        try:
            async with asyncio.timeout(grace):
                await server.wait_closed()
        except TimeoutError:
            for connection in list(server.all_connections):
                if not connection.transport.is_closing():
                    cut += 1
                connection.transport.abort()
            with contextlib.suppress(TimeoutError):  # aborted: the handlers end at once
                async with asyncio.timeout(SHUTDOWN_GRACE):
                    await server.wait_closed()
        return StopReport(len(connections), cut, loop.time() - started)

    async def serve_forever(self) -> None:
        """Serve until cancelled (then stop cleanly)."""
        if self._server is None:
            await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- addresses -------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (known after ``start``)."""
        if self._port is None:
            raise RuntimeError("server not started")
        return self._port

    @property
    def _host(self) -> str:
        host = self.options.host
        return f"[{host}]" if ":" in host else host

    @property
    def ws_url(self) -> str:
        """``ws://HOST:PORT/ws``."""
        return f"ws://{self._host}:{self.port}{WS_PATH}"

    @property
    def http_url(self) -> str:
        """``http://HOST:PORT``."""
        return f"http://{self._host}:{self.port}"

    # -- websockets hooks ------------------------------------------------
    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        # a WebSocket handshake only needs its path; an HTTP GET route gets the whole request
        if urlsplit(request.path).path != WS_PATH:
            headers = {k.lower(): v for k, v in request.headers.raw_items()}
            answer = self.http.handle(HttpRequest("GET", request.path, headers))
            return Response(
                answer.status, answer.reason, Headers(answer.header_list()), answer.body
            )
        self.handshakes += 1
        if self._fragile_under_storm and self._storm.overloaded():
            return connection.respond(http.HTTPStatus.SERVICE_UNAVAILABLE, "overloaded\n")
        return None

    def _limit_send_buffer(self, ws: ServerConnection) -> None:
        size = self.options.send_buffer
        sock = ws.transport.get_extra_info("socket")
        if size and sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)

    def _extra_metrics(self) -> dict[str, Any]:
        return {"handshakes": self.handshakes, "bugs": sorted(self.options.bugs)}

    async def _handle(self, ws: ServerConnection) -> None:
        token = token_from_request(
            ws.request.path if ws.request else "",
            ws.request.headers.get("Authorization") if ws.request else None,
        )
        if token is None:
            if self._wrong_close_code:
                await ws.close(4403, "forbidden")
            else:
                await ws.close(4401, "unauthorized")
            return
        user = self.users.user_for(token)
        if user is None:
            await ws.close(4403, "forbidden")
            return
        assert self.hub is not None
        self._limit_send_buffer(ws)
        session = Session(
            user,
            ws,
            queue_limit=self.options.queue_limit,
            bugs=self.options.bugs,
            encode=self.wire.encode,
        )
        writer = asyncio.get_running_loop().create_task(session.outbox.run())
        self.hub.add_session(session)
        session.reply({"type": "welcome", "user": user, "subprotocol": ws.subprotocol})
        loop = asyncio.get_running_loop()
        slice_end = loop.time() + TIME_SLICE
        try:
            async for data in ws:
                if not session.open or self.hub.stopping:
                    break
                self.protocol.handle(session, data)
                if loop.time() >= slice_end:
                    # frames already buffered are returned without yielding: give
                    # signals, other connections and closing handshakes their turn
                    await asyncio.sleep(0)
                    slice_end = loop.time() + TIME_SLICE
        except ConnectionClosed:
            pass
        finally:
            self.hub.remove_session(session)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
