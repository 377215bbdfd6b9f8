"""The default TLS settings, made once per process and shared by every connection.

Loading the system's CA store into an ``ssl.SSLContext`` costs about 30 ms of
CPU. Left to themselves, asyncio makes one for every ``wss://`` connection
(a crowd of 300 members spent 11 s of CPU on it, bench/tls_connections.py) and httpx one for every
client (every SSE stream). An ``SSLContext`` may serve any number of
connections, so each default is made on first use and then reused: the
verdicts are the same, only the repeated loading goes. A CA file or a client
certificate from the environment (``WSBDD_CA_FILE``, ``WSBDD_CLIENT_CERT``) gets a
context of its own, made once for those files as they are on disk
(:func:`shared_context`): a corporate CA bundle is as slow to load as the
system's.
"""

from __future__ import annotations

import functools
import os
import ssl
import threading
from collections.abc import Callable, Sequence

__all__ = [
    "default_http_context",
    "default_websocket_context",
    "forget_defaults",
    "shared_context",
]

_SHARED_LIMIT = 32
"""Contexts kept for distinct sets of files (then the cache starts over)."""
_shared: dict[tuple[tuple[str, int, int] | None, ...], ssl.SSLContext] = {}
_shared_lock = threading.Lock()


@functools.cache
def default_websocket_context() -> ssl.SSLContext:
    """What websockets and asyncio would make for ``wss://``: the system's CAs
    (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set), hostnames checked."""
    return ssl.create_default_context()


@functools.cache
def default_http_context() -> ssl.SSLContext:
    """What httpx would make for ``verify=True`` (``https://`` SSE streams): certifi's
    CAs, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set."""
    import httpx

    return httpx.create_ssl_context()


def _on_disk(path: str | None) -> tuple[str, int, int] | None:
    """A file as it is now: its path, modification time and size (None: no file)."""
    if path is None:
        return None
    try:
        status = os.stat(path)
    except OSError:
        return (path, -1, -1)  # making the context will raise the real error
    return (path, status.st_mtime_ns, status.st_size)


def shared_context(
    files: Sequence[str | None], make: Callable[[], ssl.SSLContext]
) -> ssl.SSLContext:
    """The context ``make()`` builds from ``files``, built once while the files stay the same.

    A file changed on disk (another modification time or size) gets a new
    context; ``make`` raising (a missing or unreadable file) leaves nothing cached.
    """
    key = tuple(_on_disk(path) for path in files)
    with _shared_lock:
        known = _shared.get(key)
    if known is not None:
        return known
    context = make()
    with _shared_lock:
        if len(_shared) >= _SHARED_LIMIT:
            _shared.clear()
        return _shared.setdefault(key, context)


def forget_defaults() -> None:
    """Make every context again on next use (after a test changes ``SSL_CERT_FILE``)."""
    default_websocket_context.cache_clear()
    default_http_context.cache_clear()
    with _shared_lock:
        _shared.clear()
