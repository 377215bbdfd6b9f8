"""What an SSE connection of a scenario sends: its URL, its headers, and Last-Event-ID on reconnect.

``Given client A connects to "/events" over SSE``: a path resolves against
``WSBDD_HTTP_URL`` (an absolute ``http(s)://`` URL is used as written). The
request carries the scenario's HTTP headers (``Given the HTTP headers:``),
the step's ``with headers:`` and the scenario's cookies for that URL; the
transport then adds ``Accept: text/event-stream`` and ``Cache-Control:
no-store``, which nothing replaces. A reconnect (resuming or not, as a
browser's EventSource does) sends ``Last-Event-ID``: the id of the latest
event the client received.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from wsbdd.core.exceptions import ConfigError
from wsbdd.core.records import Message
from wsbdd.runtime.request import ConnectRequest
from wsbdd.runtime.transports.sse_headers import REQUIRED_HEADERS

__all__ = ["SSE", "HeaderSource", "last_event_id", "sse_headers", "sse_url", "with_last_event_id"]

SSE = "sse"
"""The transport kind of an ``over SSE`` connection."""


def sse_url(http_base: str | None, target: str | None, source: str) -> str:
    """The stream's URL: absolute as written, else resolved against ``WSBDD_HTTP_URL``."""
    if target and "://" in target:
        return target
    if not http_base:
        raise ConfigError(
            "is not set, so an SSE path has nothing to resolve against",
            file=source,
            key="WSBDD_HTTP_URL",
        )
    base = http_base.rstrip("/")
    if not target:
        return base
    return f"{base}/{target.lstrip('/')}"


class HeaderSource(Protocol):
    """What an SSE request takes from the scenario's HTTP side (``HttpExchange``)."""

    def transport_headers(self, step: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """The scenario's headers with a connect step's own over them."""

    def transport_headers_over(
        self, headers: Sequence[tuple[str, str]], required: Sequence[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """``headers`` with what a transport requires replacing any of the same name."""

    def cookie_header(self, url: str) -> str | None:
        """The scenario's cookies for ``url``."""


def sse_headers(
    exchange: HeaderSource, url: str, step_headers: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The scenario's HTTP headers, then the step's, then its cookies (SSE's own win later)."""
    headers = exchange.transport_headers(step_headers)
    cookie = exchange.cookie_header(url)
    if cookie and not any(k.lower() == "cookie" for k, _ in headers):
        headers.append(("Cookie", cookie))
    return exchange.transport_headers_over(headers, REQUIRED_HEADERS)


def last_event_id(messages: Sequence[Message]) -> str | None:
    """The id of the latest message that carried one (SSE's ``id:``), or None."""
    for message in reversed(messages):
        value = message.meta.get("id")
        if value:
            return str(value)
    return None


def with_last_event_id(request: ConnectRequest, last_id: str | None) -> ConnectRequest:
    """``request`` with ``Last-Event-ID: last_id`` (replacing one the step gave), if any."""
    if not last_id:
        return request
    kept = [(k, v) for k, v in request.headers if k.lower() != "last-event-id"]
    return dataclasses.replace(request, headers=(*kept, ("Last-Event-ID", last_id)))
