"""One port for WebSocket and HTTP: a ``ServerConnection`` that peeks first.

websockets parses only ``GET`` requests without a body. This connection class
looks at the first bytes of each TCP connection: a request starting with
``GET `` goes to websockets untouched (WebSocket handshakes, and plain ``GET``
routes answered by ``process_request``); anything else (``POST /orders``, other
methods, garbage) is parsed here, answered by ``HttpApp`` and the connection
is closed. Garbage gets ``400`` and never reaches a traceback. ``GET /sse/<channel>``
is an event stream (:mod:`.sse`): the connection stays open, fed by the hub.
"""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.server import ServerConnection

from .sse import PREFIX
from .web import HttpApp, HttpRequest, HttpResponse, error_response

__all__ = ["MAX_BODY", "MAX_HEAD", "RequestParseError", "front_door", "parse_request"]

MAX_HEAD = 16 * 1024
MAX_BODY = 1024 * 1024
_GET = b"GET "
_SSE = b"GET " + PREFIX.encode()


class RequestParseError(ValueError):
    """The bytes received are not an acceptable HTTP/1.1 request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_request(buffer: bytes | bytearray) -> HttpRequest | None:
    """A complete request from ``buffer``, None when more bytes are needed."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > MAX_HEAD:
            raise RequestParseError(431, "request head too large")
        return None
    try:
        head = bytes(buffer[:end]).decode("latin-1")
    except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes anything
        raise RequestParseError(400, "undecodable request head") from exc
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[0].isalpha() or not parts[2].startswith("HTTP/1."):
        raise RequestParseError(400, "malformed request line")
    method, target, _ = parts
    if not target.startswith("/"):
        raise RequestParseError(400, "request target must be a path")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise RequestParseError(400, "malformed header line")
        headers[name.lower()] = value.strip()
    if "transfer-encoding" in headers:
        raise RequestParseError(411, "chunked bodies are not supported; send Content-Length")
    raw_length = headers.get("content-length", "0")
    if not raw_length.isdigit():
        raise RequestParseError(400, "invalid Content-Length")
    length = int(raw_length)
    if length > MAX_BODY:
        raise RequestParseError(413, f"body larger than {MAX_BODY} bytes")
    start = end + 4
    if len(buffer) - start < length:
        return None
    return HttpRequest(method.upper(), target, headers, bytes(buffer[start : start + length]))


def front_door(app: HttpApp) -> type[ServerConnection]:
    """A ``ServerConnection`` subclass routing non-``GET`` requests to ``app``."""

    class FrontDoorConnection(ServerConnection):
        """Routes a connection to websockets or to ``app`` by its first bytes."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._peek: bytearray | None = bytearray()  # None once decided for websockets
            self._http_done = False
            self._feed: asyncio.WriteTransport | None = None  # an open event stream

        def data_received(self, data: bytes) -> None:
            peek = self._peek
            if peek is None:
                super().data_received(data)
                return
            if self._http_done:
                return
            peek += data
            if len(peek) < len(_GET) and _GET.startswith(bytes(peek)):
                return
            stream = peek.startswith(_SSE)
            if len(peek) < len(_SSE) and _SSE.startswith(bytes(peek)):
                return  # GET /s...: an event stream or not, not known yet
            if peek.startswith(_GET) and not stream:
                self._peek = None
                super().data_received(bytes(peek))
                return
            try:
                request = parse_request(peek)
            except RequestParseError as exc:
                self._answer(error_response(exc.status, "bad_request", str(exc)))
                return
            if request is not None and stream:
                self._stream(request)
            elif request is not None:
                self._answer(app.handle(request))

        def _stream(self, request: HttpRequest) -> None:
            """``GET /sse/<channel>``: the connection stays open, fed by the hub."""
            self._http_done = True
            transport = self.transport
            if not isinstance(transport, asyncio.WriteTransport) or transport.is_closing():
                return
            feeds = app.hub.feeds
            admitted = feeds.admit(request.target, request.headers.get("authorization"), app.users)
            if isinstance(admitted, bytes):
                transport.write(admitted)
                transport.close()
                return
            self._feed = transport
            feeds.open(admitted, transport, request.target, request.headers.get("last-event-id"))

        def connection_lost(self, exc: Exception | None) -> None:
            if self._feed is not None:
                app.hub.feeds.forget(self._feed)
                self._feed = None
            super().connection_lost(exc)

        def eof_received(self) -> None:
            if self._peek is None:
                super().eof_received()
            elif not self._http_done:
                self._answer(error_response(400, "bad_request", "incomplete request"))

        def _answer(self, response: HttpResponse) -> None:
            self._http_done = True
            transport = self.transport
            if isinstance(transport, asyncio.WriteTransport) and not transport.is_closing():
                transport.write(response.to_bytes())
                transport.close()

    return FrontDoorConnection
