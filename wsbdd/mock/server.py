"""The mock WebSocket server: plays the server for a client app, on the run's loop.

It listens on 127.0.0.1 (a free port unless one is asked for), answers as
its :class:`~wsbdd.mock.script.Script` says and records everything in a
:class:`~wsbdd.mock.recorder.MockRecord`. Frames are stamped the moment their
bytes arrive (:class:`StampedConnection`), like the client side's frames.
Every coroutine here runs on the loop thread; :class:`wsbdd.mock.ops.MockOps`
calls them through the run's ``LoopThread``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import http
import json
import logging
import random
import weakref
from collections.abc import Sequence
from typing import Any, cast

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import BINARY, CONT, TEXT, Frame
from websockets.http11 import Request, Response
from websockets.protocol import Event, State

from wsbdd.core.exceptions import UnknownVariable
from wsbdd.core.matching import Variables
from wsbdd.core.records import CloseInfo, now
from wsbdd.mock.recorder import MockConnection, MockFrame, MockRecord
from wsbdd.mock.script import Script

__all__ = ["CLOSE_GRACE", "MAX_FRAME", "MockServer", "StampedConnection"]

CLOSE_GRACE = 2.0
"""Seconds a closing handshake may take before the connection is cut."""

MAX_FRAME = 16 * 2**20
"""The largest message the mock accepts (bytes); a bigger one closes with 1009, recorded."""

_LOG = logging.getLogger("wsbdd.mock.websockets")
_LOG.propagate = False
_LOG.addHandler(logging.NullHandler())


class StampedConnection(ServerConnection):
    """A server connection that stamps its request and each data message at arrival."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: collections.deque[float] = collections.deque()
        self.request_at: float | None = None
        self.record: MockConnection | None = None
        self.latency = 0.0
        """Seconds this connection waits before every frame the mock sends."""
        self.outbox: asyncio.Queue[tuple[float, str]] | None = None
        """With a latency: (due time, frame) waiting to be sent, in order."""
        self._stamp = now()

    def data_received(self, data: bytes) -> None:
        self._stamp = now()
        super().data_received(data)

    def process_event(self, event: Event) -> None:
        if isinstance(event, Frame):
            if event.opcode in (TEXT, BINARY, CONT) and event.fin:
                self.arrivals.append(self._stamp)
        elif isinstance(event, Request) and self.request_at is None:
            self.request_at = self._stamp
        super().process_event(event)


class MockServer:
    """One mock server: its listening socket, its live connections and its record."""

    def __init__(
        self,
        script: Script,
        variables: Variables,
        *,
        path: str | None = None,
        subprotocols: Sequence[str] = (),
    ) -> None:
        self.script = script
        self.variables = variables
        self.path = path
        self.subprotocols = tuple(subprotocols)
        self.record = MockRecord()
        self.refusal: tuple[float, int] | None = None
        """(until, status) while new connections are refused."""
        self._server: Server | None = None
        self._live: dict[MockConnection, StampedConnection] = {}
        self._made: weakref.WeakSet[StampedConnection] = weakref.WeakSet()
        """Every connection accepted, its handshake done or not (the stop cuts unfinished ones)."""
        self._rng = random.Random()
        self.port = 0

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1; raises OSError when the port cannot be bound."""
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            port,
            process_request=self._process_request,
            subprotocols=list(self.subprotocols) or None,  # type: ignore[arg-type]
            # websockets calls it as it would the class: with the protocol and the server
            create_connection=cast("type[ServerConnection]", self._connection),
            ping_interval=None,
            max_size=MAX_FRAME,
            logger=_LOG,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def _connection(self, *args: Any, **kwargs: Any) -> StampedConnection:
        connection = StampedConnection(*args, **kwargs)
        self._made.add(connection)
        return connection

    def handshakes_in_progress(self) -> int:
        """Connections accepted whose opening handshake has not finished."""
        return sum(1 for c in self._made if c.protocol.state is State.CONNECTING)

    def _cut_handshakes(self) -> None:
        for connection in list(self._made):
            # an accepted socket gets its transport a loop step after its connection object
            transport = getattr(connection, "transport", None)
            if transport is not None and connection.protocol.state is State.CONNECTING:
                transport.abort()

    # -- handshakes ---------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        assert isinstance(connection, StampedConnection)
        at = connection.request_at or now()
        conn = self.record.attempt(at, request.path, list(request.headers.raw_items()))
        connection.record = conn
        if self.path is not None and conn.path != self.path:
            return self._refuse(connection, conn, 404, f"no mock endpoint at {conn.path}")
        if self.refusal is not None:
            until, status = self.refusal
            if now() < until:
                return self._refuse(connection, conn, status, "refused by the wsbdd mock server")
            self.refusal = None
        return None

    def _refuse(
        self, connection: ServerConnection, conn: MockConnection, status: int, text: str
    ) -> Response:
        self.record.refused(conn, status, now())
        return connection.respond(http.HTTPStatus(status), text + "\n")

    # -- a connection's life --------------------------------------------------------

    async def _handle(self, connection: ServerConnection) -> None:
        assert isinstance(connection, StampedConnection) and connection.record is not None
        conn = connection.record
        self.record.opened(conn, now(), connection.subprotocol)
        self._live[conn] = connection
        writer: asyncio.Task[None] | None = None
        if self.script.latency is not None:
            connection.latency = self.script.latency.draw(self._rng)
            self._event(conn, f"latency {connection.latency * 1000:.0f} ms on every frame sent")
            connection.outbox = asyncio.Queue()
            writer = asyncio.create_task(self._write_later(connection, conn))
        try:
            for greeting in self.script.greetings:
                await self._send(connection, conn, greeting)
            while True:
                data = await connection.recv()
                at = connection.arrivals.popleft() if connection.arrivals else now()
                self.record.frame(conn, MockFrame(at, "received", data))
                await self._answer(connection, conn, _json(data))
        except ConnectionClosed:
            pass
        finally:
            self._live.pop(conn, None)
            if writer is not None:
                writer.cancel()
            await connection.wait_closed()
            self.record.ended(conn, _close_of(connection))

    async def _answer(
        self, connection: StampedConnection, conn: MockConnection, payload: Any
    ) -> None:
        if payload is None or not self.script.answers:
            return
        try:
            replies = self.script.replies(payload, self.variables)
        except UnknownVariable as exc:
            self._event(conn, f"no answer sent: the reply needs {exc} from the request")
            return
        for reply in replies:
            await self._send(connection, conn, reply)

    async def _send(self, connection: StampedConnection, conn: MockConnection, text: str) -> None:
        """Send now, or (with a latency) queue the frame to go out when its latency has passed."""
        if connection.outbox is not None:
            connection.outbox.put_nowait((now() + connection.latency, text))
            return
        at = now()
        await connection.send(text)
        self.record.frame(conn, MockFrame(at, "sent", text))

    async def _write_later(self, connection: StampedConnection, conn: MockConnection) -> None:
        """Send each queued frame at its due time: latencies delay frames, they do not add up."""
        assert connection.outbox is not None
        while True:
            due, text = await connection.outbox.get()
            if (wait := due - now()) > 0:
                await asyncio.sleep(wait)  # the scripted latency, not a synchronisation
            at = now()
            try:
                await connection.send(text)
            except ConnectionClosed:
                return
            self.record.frame(conn, MockFrame(at, "sent", text))

    def _event(self, conn: MockConnection, text: str) -> None:
        self.record.frame(conn, MockFrame(now(), "event", text))

    # -- what steps do to every connection --------------------------------------------

    async def send_all(self, text: str) -> int:
        """Send ``text`` to every open connection; returns how many got it."""
        targets = list(self._live.items())
        results = await asyncio.gather(
            *(self._send(ws, conn, text) for conn, ws in targets), return_exceptions=True
        )
        return sum(1 for r in results if not isinstance(r, BaseException))

    def drop_all(self) -> int:
        """Cut every connection's TCP stream: no closing handshake, the app sees 1006."""
        count = 0
        for conn, ws in list(self._live.items()):
            self.record.ended(conn, CloseInfo(1006, "", "server", False, now()))
            ws.transport.abort()
            count += 1
        return count

    async def close_all(self, code: int, reason: str = "") -> int:
        """Close every connection with ``code`` (cut it when the client does not answer)."""
        targets = list(self._live.items())

        async def close(conn: MockConnection, ws: StampedConnection) -> None:
            self.record.ended(conn, CloseInfo(code, reason, "server", True, now()))
            try:
                await asyncio.wait_for(ws.close(code, reason), CLOSE_GRACE)
            except (TimeoutError, ConnectionClosed, OSError):
                ws.transport.abort()

        await asyncio.gather(*(close(c, w) for c, w in targets), return_exceptions=True)
        return len(targets)

    def refuse(self, status: int, seconds: float) -> None:
        """Refuse new handshakes with ``status`` for ``seconds`` from now."""
        self.refusal = (now() + seconds, status)

    async def stop(self) -> None:
        """Stop listening, close every connection (1001, then a cut); bounded.

        A connection still in its opening handshake (an app reconnecting as the
        scenario ends) is cut at once: it would otherwise wait for its request
        until websockets' open timeout, its task left running.
        """
        if self._server is not None:
            self._server.close(close_connections=False)
        self._cut_handshakes()
        await self.close_all(1001, "the mock server stops")
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), CLOSE_GRACE)
        for ws in list(self._live.values()):
            ws.transport.abort()
        self._cut_handshakes()  # accepted while the others closed
        if self._server is not None:
            left = [task for task in self._server.handler_tasks if not task.done()]
            if left:
                await asyncio.wait(left, timeout=CLOSE_GRACE)


def _json(data: str | bytes) -> Any:
    if not isinstance(data, str):
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _close_of(connection: ServerConnection) -> CloseInfo:
    """How the connection ended, as the mock saw it (used when no step ended it)."""
    protocol = connection.protocol
    rcvd, sent = protocol.close_rcvd, protocol.close_sent
    if rcvd is not None and (sent is None or protocol.close_rcvd_then_sent):
        return CloseInfo(rcvd.code, rcvd.reason, "client", True, now())
    if sent is not None:
        return CloseInfo(sent.code, sent.reason, "server", True, now())
    return CloseInfo(1006, "", "network", False, now())
