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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
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
from wsbdd.runtime.transport import TransportEvents, TransportKind

from ._socketio_engine import HandshakeTrace, StampingClient, json_text, payload_of

__all__ = ["AckResult", "AuthPlacement", "SocketIOOptions", "SocketIOTransport", "split_url"]

AuthPlacement = Literal["auth", "query", "header"]
"""Where the token goes: the CONNECT auth payload, the query string or a header."""


@dataclass(frozen=True, slots=True)
class SocketIOOptions:
    """How a Socket.IO connection is made (from the environment and the profile).

    ``path`` is the Engine.IO path (``/socket.io/``). ``token`` goes where
    ``auth_in`` says: ``auth`` puts ``{auth_key: token}`` in the CONNECT
    packet, ``query`` adds ``auth_key=token`` to the URL, ``header`` sends
    ``Authorization: Bearer token`` (or ``auth_key: token`` when ``auth_key``
    is not ``token``).
    """

    path: str = "/socket.io/"
    token: str | None = None
    auth_in: AuthPlacement = "auth"
    auth_key: str = "token"
    extra_auth: Mapping[str, Any] = field(default_factory=dict)

    def auth_payload(self) -> dict[str, Any]:
        """The CONNECT packet's auth payload."""
        payload = dict(self.extra_auth)
        if self.token is not None and self.auth_in == "auth":
            payload[self.auth_key] = self.token
        return payload


@dataclass(frozen=True, slots=True)
class AckResult:
    """An emit's acknowledgement: when it was sent, when (and with what) the server answered."""

    sent_at: float
    acked_at: float
    payload: Any


def split_url(url: str) -> tuple[str, str]:
    """``(server URL, namespace)``: ``ws://h:1/chat?x=1`` is ``("http://h:1?x=1", "/chat")``.

    ``ws``/``wss`` become ``http``/``https`` (Engine.IO's URL); the query stays.
    """
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    namespace = parts.path.rstrip("/") or "/"
    return urlunsplit((scheme, parts.netloc, "", parts.query, "")), namespace


class SocketIOTransport:
    """One Socket.IO connection to one namespace (see the module docstring)."""

    kind: TransportKind = "socketio"

    def __init__(
        self,
        url: str,
        options: SocketIOOptions | None = None,
        *,
        headers: Sequence[tuple[str, str]] = (),
        open_timeout: float = 10.0,
        close_timeout: float = 2.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.options = options or SocketIOOptions()
        self.server_url, self.namespace = split_url(url)
        self.headers = tuple(headers)
        self.open_timeout = open_timeout
        self.close_timeout = close_timeout
        self.ssl_context = ssl_context
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
        headers = dict(self.headers)
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
            return f"no WebSocket upgrade answer within {limit}"
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
        t = self.trace
        handshake = HandshakeInfo(
            url=t.url or self.server_url,
            request_headers=t.request_headers,
            status=t.status,
            response_headers=t.response_headers,
        )
        return ConnectResult(outcome, handshake, now() - started, detail)

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
        self._events.on_closed(info)

    def _pinged(self, at: float, data: bytes) -> None:
        if self._events is not None:
            self._events.on_control("ping", at, data)

    # -- sending -------------------------------------------------------------------

    def _connected(self) -> StampingClient:
        client = self._client
        if client is None or not client.connected:
            raise ConnectionError(f'the Socket.IO connection to "{self.namespace}" is not open')
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
        """Send text as Socket.IO's ``message`` event (its JSON value when it is JSON)."""
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        return await self.emit("message", value)

    async def send_binary(self, data: bytes) -> float:
        """Send bytes as the binary argument of a ``message`` event."""
        return await self.emit("message", data)

    # -- closing -------------------------------------------------------------------

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Disconnect cleanly (DISCONNECT, then Engine.IO CLOSE), aborted after the timeout."""
        client = self._client
        if client is None:
            return
        try:
            await asyncio.wait_for(client.disconnect(), self.close_timeout)
        except TimeoutError:
            self.abort()
        # The library reports a client disconnect only for a connected namespace.
        self._disconnected(engineio.AsyncClient.reason.CLIENT_DISCONNECT)

    def abort(self) -> None:
        """Drop the TCP connection at once; the close is reported as lost (1006)."""
        client = self._client
        if client is None:
            return
        ws = client.eio.ws
        conn = getattr(getattr(ws, "_response", None), "connection", None)
        transport = getattr(conn, "transport", None)
        if transport is not None:
            transport.abort()
        elif ws is not None:
            asyncio.get_running_loop().create_task(ws.close())

    async def _discard(self) -> None:
        """Forget a connection that did not open (sockets and the HTTP session closed)."""
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
