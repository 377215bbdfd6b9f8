"""python-socketio / python-engineio subclasses that stamp arrivals and report pings.

The Socket.IO transport (:mod:`wsbdd.runtime.transports.socketio`) drives the
maintained library; these subclasses add only what wsbdd needs from it:

* :class:`StampingEngine` (an ``engineio.AsyncClient``) takes ``now()`` the
  moment its read loop hands over an Engine.IO packet, reports PING packets
  (which the library answers with PONG) and dispatches MESSAGE packets inline,
  in arrival order, instead of one background task per packet;
* :class:`StampingClient` (a ``socketio.AsyncClient``) builds that engine;
* :class:`HandshakeTrace` records the WebSocket upgrade request and answer
  through an aiohttp trace (engine.io hides a rejected handshake's status).

Also the payload rule every step relies on: :func:`payload_of`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
import engineio
import socketio
from engineio import packet as eio_packet

from wsbdd.core.records import now

from .socketio_payloads import json_text, payload_of

__all__ = [
    "QUIET_SIO_LOGGER",
    "HandshakeTrace",
    "StampingClient",
    "StampingEngine",
    "json_text",
    "payload_of",
]

QUIET_SIO_LOGGER = logging.getLogger("wsbdd.runtime.socketio")
"""Logger handed to python-socketio and python-engineio: nothing propagates."""
QUIET_SIO_LOGGER.propagate = False
QUIET_SIO_LOGGER.addHandler(logging.NullHandler())


class StampingEngine(engineio.AsyncClient):  # type: ignore[misc]
    """An Engine.IO client that stamps packets and reports pings (see the module docstring)."""

    arrival: float = 0.0
    """When the packet being handled arrived (``now()`` as the read loop handed it over)."""
    on_ping: Callable[[float, bytes], None] | None = None
    """Told of each Engine.IO PING (answered by the library) with its arrival time."""

    async def _receive_packet(self, pkt: Any) -> None:
        self.arrival = now()
        kind = pkt.packet_type
        if kind == eio_packet.MESSAGE:
            handler = self.handlers.get("message")
            if handler is not None:
                try:
                    await handler(pkt.data)
                except Exception:  # a bad packet must not end the read loop
                    self.logger.exception("Socket.IO packet handling failed")
            return
        if kind == eio_packet.PING and self.on_ping is not None:
            data = pkt.data if isinstance(pkt.data, bytes) else str(pkt.data or "").encode()
            self.on_ping(self.arrival, data)
        await super()._receive_packet(pkt)


class StampingClient(socketio.AsyncClient):  # type: ignore[misc]
    """A Socket.IO client on :class:`StampingEngine`, never reconnecting by itself."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            reconnection=False,
            logger=QUIET_SIO_LOGGER,
            engineio_logger=QUIET_SIO_LOGGER,
            handle_sigint=False,
            **kwargs,
        )

    @property
    def engine(self) -> StampingEngine:
        """The Engine.IO client underneath."""
        eio = self.eio
        assert isinstance(eio, StampingEngine)
        return eio

    def _engineio_client_class(self) -> type[StampingEngine]:
        return StampingEngine


class HandshakeTrace:
    """What an aiohttp session sent and got back for the WebSocket upgrade."""

    def __init__(self) -> None:
        self.url: str = ""
        self.request_headers: tuple[tuple[str, str], ...] = ()
        self.status: int | None = None
        self.response_headers: tuple[tuple[str, str], ...] = ()
        self.answered_at: float | None = None
        """When the upgrade answer (101 or a refusal) arrived."""

    def config(self) -> aiohttp.TraceConfig:
        """A trace config to pass to ``aiohttp.ClientSession(trace_configs=[...])``."""
        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(self._started)
        trace.on_request_end.append(self._ended)
        return trace

    async def _started(self, _session: object, _ctx: SimpleNamespace, params: Any) -> None:
        self.url = str(params.url)
        self.request_headers = tuple((str(k), str(v)) for k, v in params.headers.items())

    async def _ended(self, _session: object, _ctx: SimpleNamespace, params: Any) -> None:
        self.answered_at = now()
        response = params.response
        self.status = int(response.status)
        self.response_headers = tuple((str(k), str(v)) for k, v in response.headers.items())
