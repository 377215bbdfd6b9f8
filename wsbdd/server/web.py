"""The plain HTTP routes served on the WebSocket port.

``HttpApp.handle`` maps an ``HttpRequest`` to an ``HttpResponse`` and knows
nothing about sockets. Two adapters feed it: ``process_request`` for ``GET``
(parsed by websockets) and ``frontdoor`` for every other method (websockets'
parser refuses request bodies, so those are parsed there).

Routes: ``GET /healthz``, ``GET /metrics``, ``POST /orders`` and
``POST /channels/<channel>/messages`` (publish a ``message`` over HTTP, as the
WebSocket ``message`` frame does). Exact paths are looked up in ``routes``;
``prefix_routes`` then maps a path under a prefix to a parameter (404 when the
rest of the path does not fit) and its methods.
"""

from __future__ import annotations

import http
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import psutil

from .auth import UserTable, bearer_token
from .channels import may_use
from .clock import new_id, utc_now
from .hub import Hub
from .jsonframes import FrameError, dumps, loads
from .orders import OrderError, OrderService
from .protocol import RESERVED_FIELDS

__all__ = [
    "CHANNELS_PREFIX",
    "HttpApp",
    "HttpRequest",
    "HttpResponse",
    "PrefixRoute",
    "channel_of_messages_path",
    "error_response",
    "json_response",
]

CHANNELS_PREFIX = "/channels/"
"""Where the publish route is: ``POST /channels/<channel>/messages``."""
_MESSAGES = "/messages"

Handler = Callable[["HttpRequest"], "HttpResponse"]
"""Answers a request on an exact path."""
ParamHandler = Callable[["HttpRequest", str], "HttpResponse"]
"""Answers a request on a prefixed path, given the parameter taken from the path."""


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A parsed request; header names are lower-case."""

    method: str
    target: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A complete response; ``body`` is sent with Content-Length."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def reason(self) -> str:
        try:
            return http.HTTPStatus(self.status).phrase
        except ValueError:
            return "Unknown"

    def header_list(self) -> list[tuple[str, str]]:
        """Every header to send, Content-Type and Content-Length included."""
        return [
            ("Content-Type", self.content_type),
            ("Content-Length", str(len(self.body))),
            ("Connection", "close"),
            *self.headers,
        ]

    def to_bytes(self) -> bytes:
        """The HTTP/1.1 wire form."""
        head = f"HTTP/1.1 {self.status} {self.reason}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in self.header_list())
        return head.encode("latin-1") + b"\r\n" + self.body


@dataclass(frozen=True, slots=True)
class PrefixRoute:
    """The paths starting with ``prefix``.

    ``param`` turns the rest of the path into the handlers' argument, or None
    when that path is not a route (404); ``methods`` maps method → handler.
    """

    prefix: str
    param: Callable[[str], str | None]
    methods: Mapping[str, ParamHandler]


def channel_of_messages_path(rest: str) -> str | None:
    """The channel of ``/channels/<rest>``: ``rest`` is ``<channel>/messages``.

    The channel is percent-decoded (``room%3Alobby`` → ``room:lobby``; ``%2F``
    puts a ``/`` in it) after the path is split, so only a literal
    ``/messages`` ends it. None when the channel is empty or the path does not
    end in ``/messages``.
    """
    if not rest.endswith(_MESSAGES):
        return None
    channel = unquote(rest[: -len(_MESSAGES)])
    return channel or None


def _bind(handler: ParamHandler, param: str) -> Handler:
    return lambda request: handler(request, param)


def json_response(status: int, payload: Any, *headers: tuple[str, str]) -> HttpResponse:
    """A JSON response."""
    body = dumps(payload).encode()
    return HttpResponse(status, body, "application/json", tuple(headers))


def error_response(status: int, code: str, message: str, *headers: tuple[str, str]) -> HttpResponse:
    """A JSON error: ``{"error": code, "message": message}``."""
    return json_response(status, {"error": code, "message": message}, *headers)


class HttpApp:
    """Routes: health, metrics, orders and publishing to a channel."""

    def __init__(
        self,
        hub: Hub,
        users: UserTable,
        orders: OrderService,
        extra_metrics: Callable[[], Mapping[str, Any]] = dict,
        *,
        check_ownership: bool = True,
    ) -> None:
        self.hub = hub
        self.users = users
        self.orders = orders
        self.extra_metrics = extra_metrics
        self.started = time.monotonic()
        self._process = psutil.Process()
        self.check_ownership = check_ownership
        """The WebSocket publish's rule (protocol.py); False under ``--bug no_ownership_check``."""
        self.routes: dict[str, Mapping[str, Handler]] = {
            "/healthz": {"GET": self.healthz},
            "/metrics": {"GET": self.metrics},
            "/orders": {"POST": self.create_order},
        }
        self.prefix_routes: list[PrefixRoute] = [
            PrefixRoute(CHANNELS_PREFIX, channel_of_messages_path, {"POST": self.publish}),
        ]

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request; never raises."""
        try:
            return self._dispatch(request)
        except Exception as exc:  # a bug here must not kill the connection silently
            return error_response(500, "internal", f"{type(exc).__name__}: {exc}")

    def _dispatch(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        methods = self._methods(path)
        if methods is None:
            return error_response(404, "not_found", f"no route {path}")
        route = methods.get(request.method)
        if route is None:
            allow = ", ".join(methods)
            return error_response(405, "method_not_allowed", f"use {allow}", ("Allow", allow))
        return route(request)

    def _methods(self, path: str) -> Mapping[str, Handler] | None:
        """The handlers of ``path`` by method: an exact route first, then a prefix route."""
        exact = self.routes.get(path)
        if exact is not None:
            return exact
        for route in self.prefix_routes:
            if path.startswith(route.prefix):
                param = route.param(path[len(route.prefix) :])
                if param is None:
                    return None
                return {method: _bind(h, param) for method, h in route.methods.items()}
        return None

    def healthz(self, request: HttpRequest) -> HttpResponse:
        """``GET /healthz`` → 200 ``{"status": "ok"}``."""
        return json_response(200, {"status": "ok"})

    def metrics(self, request: HttpRequest) -> HttpResponse:
        """``GET /metrics`` → counters, RSS and uptime."""
        data: dict[str, Any] = dict(self.hub.metrics())
        data["rss_bytes"] = self._process.memory_info().rss
        data["uptime_s"] = round(time.monotonic() - self.started, 3)
        data.update(self.extra_metrics())
        return json_response(200, data)

    def _user(self, request: HttpRequest) -> str | HttpResponse:
        """The user of the request's Bearer token, or the 401 to answer."""
        challenge = ("WWW-Authenticate", "Bearer")
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            return error_response(401, "unauthorized", "missing Bearer token", challenge)
        user = self.users.user_for(token)
        if user is None:
            return error_response(401, "unauthorized", "unknown token", challenge)
        return user

    @staticmethod
    def _json_body(request: HttpRequest) -> Any:
        """The request's JSON body; ``FrameError`` (with the code to answer) when it is not."""
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise FrameError("bad_json", "invalid JSON body: not UTF-8") from None
        try:
            return loads(text)
        except FrameError as exc:
            raise FrameError(exc.code, f"{exc.message} (in the body)") from None

    def create_order(self, request: HttpRequest) -> HttpResponse:
        """``POST /orders`` with a Bearer token and ``{item, qty}`` → 201."""
        user = self._user(request)
        if isinstance(user, HttpResponse):
            return user
        try:
            body = self._json_body(request)
        except FrameError as exc:
            return error_response(400, exc.code, exc.message)
        try:
            item, qty = self.orders.validate(body)
        except OrderError as exc:
            return error_response(400, "bad_request", str(exc))
        return json_response(201, self.orders.create(user, item, qty))

    def publish(self, request: HttpRequest, channel: str) -> HttpResponse:
        """``POST /channels/<channel>/messages`` with a Bearer token and ``{text, ...}`` → 202.

        The published frame is the WebSocket ``message`` frame's (protocol.py
        ``on_message``): extra fields echoed, the reserved ones set by the
        server. It reaches the channel's WebSocket subscribers and event
        streams. Checked in order: token (401), channel (403), body (400).
        """
        user = self._user(request)
        if isinstance(user, HttpResponse):
            return user
        if not may_use(channel, user, check_ownership=self.check_ownership):
            return error_response(403, "forbidden", f"{user} may not publish to {channel}")
        try:
            body = self._json_body(request)
        except FrameError as exc:
            return error_response(400, exc.code, exc.message)
        if not isinstance(body, dict):
            return error_response(400, "bad_request", "expected a JSON object {text, ...}")
        text = body.get("text")
        if not isinstance(text, str):
            return error_response(400, "bad_request", "missing or non-string field 'text'")
        out = {k: v for k, v in body.items() if k not in RESERVED_FIELDS}
        out.update(
            {"type": "message", "from": user, "text": text, "id": new_id("msg"), "ts": utc_now()}
        )
        seq = self.hub.publish(channel, out)
        return json_response(202, {"id": out["id"], "channel": channel, "seq": seq})
