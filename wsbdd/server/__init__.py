"""The wsbdd reference real-time server (protocol: ``docs/reference-server.md``).

``ReferenceServer(ServerOptions(...))`` runs in process; ``wsbdd serve`` /
``python -m wsbdd.server`` run it from the command line;
``wsbdd.server.managed.ManagedServer`` runs it as a subprocess.
"""

from __future__ import annotations

from .app import ReferenceServer
from .bugs import BUGS
from .options import ServerOptions

__all__ = ["BUGS", "ReferenceServer", "ServerOptions"]
