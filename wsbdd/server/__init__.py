"""The wsbdd reference real-time server (protocol: ``docs/reference-server.md``).

``ReferenceServer(ServerOptions(...))`` runs in process; ``wsbdd serve`` /
``python -m wsbdd.server`` run it from the command line;
``wsbdd.server.managed.ManagedServer`` runs it as a subprocess.

The names below are loaded on first use: a run that only starts the server
as a subprocess (``wsbdd.server.managed``) never imports the server itself.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import ReferenceServer
    from .bugs import BUGS
    from .options import ServerOptions

__all__ = ["BUGS", "ReferenceServer", "ServerOptions"]

_HOMES = {"BUGS": ".bugs", "ReferenceServer": ".app", "ServerOptions": ".options"}


def __getattr__(name: str) -> Any:
    """Import ``ReferenceServer``, ``ServerOptions`` or ``BUGS`` when first asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home, __name__), name)
    globals()[name] = value
    return value
