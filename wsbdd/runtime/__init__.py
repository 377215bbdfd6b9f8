"""Client runtime: one asyncio loop thread owning every connection.

Steps use :class:`Clients` (synchronous; :meth:`Clients.view` gives them an
immutable :class:`ClientView`). Underneath, :class:`ClientManager` holds the
named :class:`Client` objects on the :class:`LoopThread`; each client talks to
its connection through the :class:`~wsbdd.runtime.transport.Transport` seam
(WebSocket by default, see :mod:`wsbdd.runtime.transports`), which stamps every
message with ``wsbdd.core.records.now()`` as it arrives and hands it over.
"""

from __future__ import annotations

from .client import Client, Probe
from .facade import Clients
from .loop import LoopThread
from .manager import ClientManager
from .request import DEFAULT_MAX_SIZE, ConnectRequest
from .transports.ws_connection import PingControlProtocol, TrackedConnection
from .view import ClientView

__all__ = [
    "DEFAULT_MAX_SIZE",
    "Client",
    "ClientManager",
    "ClientView",
    "Clients",
    "ConnectRequest",
    "LoopThread",
    "PingControlProtocol",
    "Probe",
    "TrackedConnection",
]
