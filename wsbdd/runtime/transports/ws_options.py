"""The ``websockets.connect()`` options a :class:`ConnectRequest` stands for.

Shared by :class:`Client` and :class:`Crowd`: no proxy, no automatic
heartbeat (wsbdd pings only when a step says so) and websockets' own logging
sent to :data:`QUIET_LOGGER`. Also :func:`status_line`, how both name a
rejected handshake.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any, cast

from websockets.asyncio.client import ClientConnection
from websockets.http11 import Response
from websockets.typing import Origin, Subprotocol

from ..request import ConnectRequest
from ..tls import default_websocket_context
from .ws_connection import QUIET_LOGGER

__all__ = ["connect_kwargs", "status_line"]


def connect_kwargs(
    req: ConnectRequest,
    create_connection: Callable[..., ClientConnection] | None,
    ssl_context: ssl.SSLContext | None,
) -> dict[str, Any]:
    """Keyword arguments for ``connect(req.url, **kwargs)``.

    ``create_connection`` builds the connection object (a
    ``ClientConnection`` subclass, usually a ``functools.partial`` binding
    its extra arguments); None leaves it out, for a caller that adds its own
    per connection. ``ssl_context`` None is the default for ``wss://``, made
    once per process (:mod:`wsbdd.runtime.tls`), not once per connection.
    ``max_queue`` (frames buffered before reading pauses) is what "stops
    reading" relies on for named clients; crowd members' data frames bypass
    that queue, so it changes nothing for them.
    """
    kwargs: dict[str, Any] = {
        "origin": Origin(req.origin) if req.origin else None,
        "subprotocols": [Subprotocol(p) for p in req.subprotocols] or None,
        "additional_headers": list(req.headers) or None,
        "compression": req.compression,
        "proxy": None,
        "open_timeout": req.open_timeout,
        "ping_interval": None,
        "ping_timeout": None,
        "close_timeout": req.close_timeout,
        "max_size": req.max_size,
        "max_queue": req.max_queue,
        "logger": QUIET_LOGGER,
    }
    if create_connection is not None:
        kwargs["create_connection"] = cast(type[ClientConnection], create_connection)
    if ssl_context is None and req.secure:
        ssl_context = default_websocket_context()
    if ssl_context is not None:
        kwargs["ssl"] = ssl_context
    return kwargs


def status_line(response: Response) -> str:
    """``HTTP 503 Service Unavailable``: how a rejected handshake is named."""
    return f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
