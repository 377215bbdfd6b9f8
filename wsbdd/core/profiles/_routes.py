"""The profile keys that depend on the transport: SSE subscriptions and publishing over HTTP.

An SSE connection sends nothing: an SSE profile subscribes with ``[subscribe]
path`` (the event stream a subscription opens) and publishes with ``[publish]
method, path`` (an HTTP request, which any profile may use).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wsbdd.core.profiles._fields import (
    EXCHANGE_KEYS,
    _error,
    _exchange,
    _section,
    _string,
)
from wsbdd.core.profiles.model import Exchange, HttpRoute, Template

_HTTP_KEYS = {"method", "path", "headers"}
_HTTP_METHODS = ("POST", "PUT", "PATCH", "DELETE", "GET")
SENDS_NOTHING = "an SSE connection sends nothing"


SSE_INSTEAD = {
    "unsubscribe": "unsubscribing closes the client's event stream; remove [unsubscribe]",
    "ping": "remove [ping] (protocol pings are WebSocket's; an SSE stream has none)",
    "resume": "a reconnect sends Last-Event-ID by itself; remove [resume]",
}


def subscription(
    value: Any, source: str, transport: str
) -> tuple[Exchange | None, Template | None]:
    """``[subscribe]``: a message to send, or (SSE) ``path``, the event stream it opens."""
    if transport != "sse":
        if isinstance(value, dict) and "path" in value:
            raise _error(
                source,
                "subscribe.path",
                'is the event stream a subscription opens: it needs transport = "sse"',
            )
        return _exchange(value, "subscribe", source), None
    must = 'must be a table with path, the event stream a subscription opens ("/sse/${channel}")'
    table = _section(value, "subscribe", source, {"path"} | EXCHANGE_KEYS, must)
    if table is None:
        return None, None
    for key in sorted(EXCHANGE_KEYS & set(table)):
        raise _error(
            source,
            f"subscribe.{key}",
            f"{SENDS_NOTHING}: a subscription opens the event stream at path, which "
            "confirms it by opening (or refuses it with an HTTP status)",
        )
    return None, _path_template(table, "subscribe", source)


def _path_template(table: Mapping[str, Any], key: str, source: str) -> Template:
    """``path``: a string template, a path (``/sse/${channel}``) or an absolute URL."""
    path = _string(table, "path", key + ".", source, required=True)
    assert path is not None
    if not path.startswith("/") and "://" not in path:
        raise _error(source, f"{key}.path", f'"{path}" must be a path starting with / or a URL')
    return Template(path, source, f"{key}.path")


def publication(value: Any, key: str, source: str, transport: str) -> Exchange | None:
    """``[publish]``: a message on the connection, or (``method``, ``path``) an HTTP request."""
    must = "must be a table with send (and optionally ack, reject, or method and path for HTTP)"
    table = _section(value, key, source, EXCHANGE_KEYS | _HTTP_KEYS, must)
    if table is None:
        return None
    exchange = _exchange({k: v for k, v in table.items() if k not in _HTTP_KEYS}, key, source)
    assert exchange is not None
    if not _HTTP_KEYS & set(table):
        if transport == "sse":
            raise _error(
                source,
                key,
                f"{SENDS_NOTHING}: publish over HTTP with path (and method, POST by default)",
            )
        return exchange
    if "reject" in table:
        raise _error(
            source, f"{key}.reject", "over HTTP a refusal is the response's status: remove reject"
        )
    method = (_string(table, "method", key + ".", source, required=False) or "POST").upper()
    if method not in _HTTP_METHODS:
        raise _error(
            source, f"{key}.method", f'"{method}" is not one of {", ".join(_HTTP_METHODS)}'
        )
    headers = table.get("headers")
    if headers is not None and (
        not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values())
    ):
        raise _error(source, f"{key}.headers", "must be a table of header names and strings")
    route = HttpRoute(
        method=method,
        path=_path_template(table, key, source),
        headers=Template(headers, source, f"{key}.headers") if headers is not None else None,
    )
    return Exchange(send=exchange.send, ack=exchange.ack, http=route)
