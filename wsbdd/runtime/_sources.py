"""Source addresses for big crowds: spread members over 127.0.0.x when one address runs out.

A TCP connection is told apart by (source address, source port, destination);
towards one destination one source address has only the ephemeral port range
(about 28,000 ports on Linux). A loopback crowd bigger than
:data:`PER_ADDRESS` members therefore binds member ``i`` to
``127.0.0.(1 + i // PER_ADDRESS)`` (every 127.0.0.0/8 address is local on
Linux); the index is the member's place in the whole crowd, so crowds split
over Locust workers spread the same way.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["PER_ADDRESS", "source_address"]

PER_ADDRESS = 25_000
"""Members per source address (below the default ephemeral port range of 28,232)."""


def _is_loopback_v4(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.version == 4 and address.is_loopback


def source_address(url: str, index: int, crowd_size: int) -> tuple[str, int] | None:
    """The ``local_addr`` member ``index`` of a crowd of ``crowd_size`` binds (None: any)."""
    if crowd_size <= PER_ADDRESS or not _is_loopback_v4(url):
        return None
    return (f"127.0.0.{1 + index // PER_ADDRESS}", 0)
