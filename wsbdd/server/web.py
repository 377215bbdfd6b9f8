"""The plain HTTP routes served on the WebSocket port.

``HttpApp.handle`` maps an ``HttpRequest`` to an ``HttpResponse`` and knows
nothing about sockets. Two adapters feed it: ``process_request`` for ``GET``
(parsed by websockets) and ``frontdoor`` for every other method (websockets'
parser refuses request bodies, so those are parsed there).

Routes: ``GET /healthz``, ``GET /metrics``, ``POST /orders``.
"""

from __future__ import annotations

import http
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import psutil

from .auth import UserTable, bearer_token
from .hub import Hub
from .jsonframes import FrameError, dumps, loads
from .orders import OrderError, OrderService

__all__ = ["HttpApp", "HttpRequest", "HttpResponse", "error_response", "json_response"]


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


def json_response(status: int, payload: Any, *headers: tuple[str, str]) -> HttpResponse:
    """A JSON response."""
    body = dumps(payload).encode()
    return HttpResponse(status, body, "application/json", tuple(headers))


def error_response(status: int, code: str, message: str, *headers: tuple[str, str]) -> HttpResponse:
    """A JSON error: ``{"error": code, "message": message}``."""
    return json_response(status, {"error": code, "message": message}, *headers)


class HttpApp:
    """Routes: health, metrics and orders."""

    def __init__(
        self,
        hub: Hub,
        users: UserTable,
        orders: OrderService,
        extra_metrics: Callable[[], Mapping[str, Any]] = dict,
    ) -> None:
        self.hub = hub
        self.users = users
        self.orders = orders
        self.extra_metrics = extra_metrics
        self.started = time.monotonic()
        self._process = psutil.Process()
        self.routes: dict[str, dict[str, Callable[[HttpRequest], HttpResponse]]] = {
            "/healthz": {"GET": self.healthz},
            "/metrics": {"GET": self.metrics},
            "/orders": {"POST": self.create_order},
        }

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request; never raises."""
        methods = self.routes.get(request.path)
        if methods is None:
            return error_response(404, "not_found", f"no route {request.path}")
        route = methods.get(request.method)
        if route is None:
            allow = ", ".join(methods)
            return error_response(405, "method_not_allowed", f"use {allow}", ("Allow", allow))
        try:
            return route(request)
        except Exception as exc:  # a bug here must not kill the connection silently
            return error_response(500, "internal", f"{type(exc).__name__}: {exc}")

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

    def create_order(self, request: HttpRequest) -> HttpResponse:
        """``POST /orders`` with a Bearer token and ``{item, qty}`` → 201."""
        challenge = ("WWW-Authenticate", "Bearer")
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            return error_response(401, "unauthorized", "missing Bearer token", challenge)
        user = self.users.user_for(token)
        if user is None:
            return error_response(401, "unauthorized", "unknown token", challenge)
        try:
            body = loads(request.body.decode("utf-8"))
        except UnicodeDecodeError:
            return error_response(400, "bad_json", "invalid JSON body: not UTF-8")
        except FrameError as exc:
            return error_response(400, exc.code, f"{exc.message} (in the body)")
        try:
            item, qty = self.orders.validate(body)
        except OrderError as exc:
            return error_response(400, "bad_request", str(exc))
        return json_response(201, self.orders.create(user, item, qty))
