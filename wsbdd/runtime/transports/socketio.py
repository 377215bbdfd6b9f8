"""The Socket.IO transport: Engine.IO v4 / Socket.IO v5 over WebSocket (python-socketio).

A :class:`SocketIOTransport` opens one Socket.IO connection to one namespace
(the path of its URL: ``ws://host:port/chat`` is the namespace ``/chat`` of
the server at ``host:port``; ``/`` is the main namespace) through the
Engine.IO path of :class:`SocketIOOptions` (default ``/socket.io/``), over
WebSocket only (no long-polling). The identity's token travels in the
CONNECT packet's auth payload as ``{"token": …}``, or in the query string or
a header when the options say so.

What it reports to its :class:`~wsbdd.runtime.transport.TransportEvents`:

* every event from the server is a message: its JSON text is the event's
  payload (its first argument, or the list of all when there are several; a
  lone binary argument is a binary message), stamped as the Engine.IO packet
  arrived, with ``meta={"event": name, "namespace": ns}``;
* a namespace refusal is the event ``connect_error`` carrying the server's
  data, and the connect result is *rejected* naming that data;
* Engine.IO PINGs (answered with PONG by the library) go to ``on_control``;
* the end of the connection is one :class:`~wsbdd.core.records.CloseInfo`: a
  server disconnect is clean, by the server, code 1000, its reason the
  library's (``server disconnect``); a lost transport is code 1006.

``open`` never waits longer than the open timeout, also when the server
accepts the WebSocket but never sends the Engine.IO open packet or never
answers the namespace CONNECT.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import aiohttp
import engineio
import socketio

from wsbdd.core.records import (
    CloseInfo,
    ConnectOutcome,
    ConnectResult,
    HandshakeInfo,
    now,
)
from wsbdd.runtime.transport import TransportClosed, TransportEvents, TransportKind

from ._socketio_engine import HandshakeTrace, StampingClient
from .socketio_options import SocketIOOptions, header_fields
from .socketio_payloads import AckResult, json_text, payload_of

if TYPE_CHECKING:
    from wsbdd.runtime.request import ConnectRequest

__all__ = ["AckResult", "SocketIOOptions", "SocketIoTransport", "split_url"]

def split_url(url: str) -> tuple[str, str]:
    """``(server URL, namespace)``: ``ws://h:1/chat?x=1`` is ``("http://h:1?x=1", "/chat")``.

    ``ws``/``wss`` become ``http``/``https`` (Engine.IO's URL); the query stays.
    """
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    namespace = parts.path.rstrip("/") or "/"
    return urlunsplit((scheme, parts.netloc, "", parts.query, "")), namespace


class SocketIoTransport:
    """One Socket.IO connection to one namespace (see the module docstring)."""

    kind: TransportKind = "socketio"

    def __init__(self, request: ConnectRequest, name: str = "") -> None:
        """The transport of ``request`` (a ws(s):// or http(s):// URL ending in the namespace).

        ``request.socketio`` holds the Engine.IO path and where the token goes;
        the headers, open and close timeouts and the CA file come from the request.
        """
        self.name = name
        self.options = request.socketio or SocketIOOptions()
        self.redactor = request.make_redactor()
        if self.options.token:
            self.redactor.add(self.options.token)
        self.server_url, self.namespace = split_url(request.url)
        self.headers = tuple(request.headers)
        self.open_timeout = request.open_timeout
        self.close_timeout = request.close_timeout
        self.ssl_context: ssl.SSLContext | None = request.ssl_context()
        self.trace = HandshakeTrace()
        self._events: TransportEvents | None = None
        self._client: StampingClient | None = None
        self._closed = False
        self._refusal: Any = None
        self._refused = False

    # -- opening ---------------------------------------------------------------

    async def open(self, events: TransportEvents) -> ConnectResult:
        """Connect the Engine.IO transport and the namespace, within the open timeout."""
        self._events = events
        started = now()
        client = self._build_client()
        self._client = client
        url, headers = self._url_and_headers()
        try:
            await asyncio.wait_for(
                client.connect(
                    url,
                    headers=headers,
                    auth=self.options.auth_payload(),
                    transports=["websocket"],
                    namespaces=[self.namespace],
                    socketio_path=self.options.path,
                    wait=True,
                    wait_timeout=self.open_timeout,
                ),
                self.open_timeout,
            )
        except TimeoutError:
            await self._discard()
            return self._result(ConnectOutcome.TIMED_OUT, started, self._timeout_detail())
        except (socketio.exceptions.ConnectionError, aiohttp.ClientError, OSError) as exc:
            await self._discard()
            return self._failure(exc, started)
        return self._result(ConnectOutcome.OPEN, started)

    def _build_client(self) -> StampingClient:
        trace = self.trace

        def session() -> aiohttp.ClientSession:
            return aiohttp.ClientSession(trace_configs=[trace.config()])

        extra: dict[str, Any] = {}
        if self.ssl_context is not None:
            extra["ssl"] = self.ssl_context
        client = StampingClient(
            http_session=session,
            websocket_extra_options=extra,
            request_timeout=self.close_timeout,
        )
        client.engine.on_ping = self._pinged
        client.on("*", self._event, namespace=self.namespace)
        client.on("connect_error", self._connect_error, namespace=self.namespace)
        client.on("disconnect", self._disconnected, namespace=self.namespace)
        return client

    def _url_and_headers(self) -> tuple[str, dict[str, str]]:
        opts = self.options
        url = self.server_url
        headers = header_fields(self.headers)
        if opts.token is not None and opts.auth_in == "query":
            sep = "&" if "?" in url else "?"
            url = f"{url}{sep}{urlencode({opts.auth_key: opts.token})}"
        elif opts.token is not None and opts.auth_in == "header":
            if opts.auth_key == "token":
                headers["Authorization"] = f"Bearer {opts.token}"
            else:
                headers[opts.auth_key] = opts.token
        return url, headers

    def _timeout_detail(self) -> str:
        limit = f"{self.open_timeout:g} s"
        if self.trace.status is None:
            return (
                "no answer to the WebSocket upgrade "
                f'at the Engine.IO path "{self.options.path}" within {limit}'
            )
        client = self._client
        if client is None or client.eio.sid is None:
            return f"no Engine.IO open packet within {limit} (the WebSocket was accepted)"
        return f'namespace "{self.namespace}" did not answer the CONNECT within {limit}'

    def _failure(self, exc: BaseException, started: float) -> ConnectResult:
        if self._refused:
            return self._result(
                ConnectOutcome.REJECTED,
                started,
                f'namespace "{self.namespace}" refused the connection: '
                f"connect_error {json_text(self._refusal)}",
            )
        status = self.trace.status
        if status is not None and status != 101:
            return self._result(
                ConnectOutcome.REJECTED,
                started,
                f"HTTP {status} to the WebSocket upgrade "
                f'at the Engine.IO path "{self.options.path}"',
            )
        cause = _root_cause(exc)
        if isinstance(cause, aiohttp.ServerDisconnectedError):
            return self._result(
                ConnectOutcome.FAILED,
                started,
                "the server closed the connection without answering the WebSocket upgrade "
                f'at the Engine.IO path "{self.options.path}"',
            )
        if isinstance(cause, aiohttp.ClientConnectorError | ConnectionRefusedError):
            return self._result(ConnectOutcome.REFUSED, started, str(cause))
        return self._result(ConnectOutcome.FAILED, started, str(cause) or type(cause).__name__)

    def _result(self, outcome: ConnectOutcome, started: float, detail: str = "") -> ConnectResult:
        """The outcome, its handshake and detail redacted (tokens never leave the transport)."""
        t, red = self.trace, self.redactor
        handshake = HandshakeInfo(
            url=red.url(t.url or self.server_url),
            request_headers=tuple(red.headers(t.request_headers)),
            status=t.status,
            response_headers=tuple(red.headers(t.response_headers)),
        )
        return ConnectResult(outcome, handshake, now() - started, red.text(detail))

    # -- what arrives ------------------------------------------------------------

    def _arrival(self) -> float:
        client = self._client
        return client.engine.arrival if client is not None else now()

    def _event(self, event: str, *args: Any) -> None:
        if self._events is None:
            return
        payload = payload_of(args)
        data: str | bytes = payload if isinstance(payload, bytes) else json_text(payload)
        meta = {"event": event, "namespace": self.namespace}
        self._events.on_message(data, self._arrival(), meta)

    def _connect_error(self, *args: Any) -> None:
        client = self._client
        if client is None or client.eio.state != "connected":
            return  # the Engine.IO transport failed: the result says how, not the server
        self._refused = True
        self._refusal = payload_of(args)
        if self._events is not None:
            self._events.on_message(
                json_text(self._refusal),
                self._arrival(),
                {"event": "connect_error", "namespace": self.namespace},
            )

    def _disconnected(self, reason: str = "") -> None:
        if self._closed or self._events is None:
            return
        self._closed = True
        at = now()
        reasons = engineio.AsyncClient.reason
        if reason == reasons.CLIENT_DISCONNECT:
            info = CloseInfo(1000, reason, "client", True, at)
        elif reason == reasons.SERVER_DISCONNECT:
            info = CloseInfo(1000, reason, "server", True, at)
        else:
            info = CloseInfo(1006, reason or "transport error", "network", False, at)
        self._events.on_closed(info, {"transport": "socketio", "namespace": self.namespace})

    def _pinged(self, at: float, data: bytes) -> None:
        if self._events is not None:
            self._events.on_control("ping", at, data)

    # -- sending -------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True while the namespace is connected (it opened and has not ended)."""
        client = self._client
        return client is not None and bool(client.connected) and not self._closed

    def _connected(self) -> StampingClient:
        client = self._client
        if client is None or not self.is_open:
            raise TransportClosed(f'the Socket.IO connection to "{self.namespace}" is not open')
        return client

    async def emit(self, event: str, payload: Any = None) -> float:
        """Emit ``event`` with one argument (none when ``payload`` is None); the send time."""
        client = self._connected()
        sent_at = now()
        await client.emit(event, payload, namespace=self.namespace)
        return sent_at

    async def emit_with_ack(self, event: str, payload: Any, within: float) -> AckResult | None:
        """Emit asking for an ack; the ack, or None when none came within ``within`` seconds."""
        client = self._connected()
        loop = asyncio.get_running_loop()
        acked: asyncio.Future[AckResult] = loop.create_future()
        sent_at = now()

        def on_ack(*args: Any) -> None:
            if not acked.done():
                acked.set_result(AckResult(sent_at, self._arrival(), payload_of(args)))

        await client.emit(event, payload, namespace=self.namespace, callback=on_ack)
        try:
            return await asyncio.wait_for(acked, within)
        except TimeoutError:
            return None

    async def send_text(self, text: str) -> float:
        """Send text the way Socket.IO frames events (what a profile's templates send).

        A JSON array whose first item is a string, ``["join", {"room": "r"}]``,
        is that event with the remaining items as its arguments (Socket.IO's
        own EVENT packet); its ack, when the server sends one, is reported as
        a message, the event ``ack`` with ``meta["ack_of"]`` naming what it
        answers. Anything else is the ``message`` event (Socket.IO's
        ``send``), with the JSON value when the text is JSON.
        """
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        if isinstance(value, list) and value and isinstance(value[0], str):
            return await self._emit_reporting_ack(value[0], tuple(value[1:]))
        return await self.emit("message", value)

    async def _emit_reporting_ack(self, event: str, args: tuple[Any, ...]) -> float:
        client = self._connected()

        def on_ack(*answer: Any) -> None:
            if self._events is None or self._closed:
                return
            meta = {"event": "ack", "namespace": self.namespace, "ack_of": event}
            self._events.on_message(json_text(payload_of(answer)), self._arrival(), meta)

        data: Any = args[0] if len(args) == 1 else args
        sent_at = now()
        await client.emit(event, data, namespace=self.namespace, callback=on_ack)
        return sent_at

    async def send_binary(self, data: bytes) -> float:
        """Send bytes as the binary argument of a ``message`` event."""
        return await self.emit("message", data)

    # -- closing -------------------------------------------------------------------

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Disconnect cleanly (DISCONNECT, then Engine.IO CLOSE), aborted after the timeout.

        Socket.IO has no close code or reason: ``code`` and ``reason`` are ignored.
        """
        client = self._client
        if client is None:
            return
        try:
            await asyncio.wait_for(client.disconnect(), self.close_timeout)
        except TimeoutError:
            self.abort()
        # The library reports a client disconnect only for a connected namespace.
        self._disconnected(engineio.AsyncClient.reason.CLIENT_DISCONNECT)

    async def drop(self) -> None:
        """Cut the TCP connection without a DISCONNECT; returns once the end is reported."""
        self._cut()
        self._disconnected(engineio.AsyncClient.reason.TRANSPORT_ERROR)
        await self._discard()

    async def shutdown(self) -> None:
        """End the connection whatever its state; never raises, leaves no task behind."""
        with contextlib.suppress(Exception):
            if self.is_open:
                await self.close()
        with contextlib.suppress(Exception):
            await self._discard()

    def abort(self) -> None:
        """Last resort (synchronous): cut the TCP connection at once."""
        self._cut()

    def _cut(self) -> None:
        client = self._client
        if client is None:
            return
        ws = client.eio.ws
        conn = getattr(getattr(ws, "_response", None), "connection", None)
        transport = getattr(conn, "transport", None)
        if transport is not None:
            transport.abort()

    async def _discard(self) -> None:
        """Forget a connection that did not open or was cut (sockets, tasks, HTTP session)."""
        client = self._client
        if client is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.eio.disconnect(abort=True), self.close_timeout)
        http = client.eio.http
        if http is not None and not http.closed:
            with contextlib.suppress(Exception):
                await http.close()


def _root_cause(exc: BaseException) -> BaseException:
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nxt = exc.__cause__ or exc.__context__
        if nxt is None:
            break
        exc = nxt
    return exc
