"""Client runtime: one asyncio loop thread owning every WebSocket connection.

Steps use :class:`Clients` (synchronous). Underneath, :class:`ClientManager`
holds the named :class:`Client` objects on the :class:`LoopThread`; each
client's :class:`TrackedConnection` stamps frames with ``wsbdd.core.records.now()``
as they arrive, and a reader task per client turns them into
:class:`~wsbdd.core.records.Message` records.
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
