"""The default TLS settings, made once per process and shared by every connection.

Loading the system's CA store into an ``ssl.SSLContext`` costs about 30 ms of
CPU. Left to themselves, asyncio makes one for every ``wss://`` connection
(a crowd of 1,000 members spent 30 s of CPU on it) and httpx one for every
client (every SSE stream). An ``SSLContext`` may serve any number of
connections, so each default is made on first use and then reused: the
verdicts are the same, only the repeated loading goes. A CA file or a client
certificate from the environment still gets a context of its own
(:meth:`~wsbdd.runtime.request.ConnectRequest.ssl_context`).
"""

from __future__ import annotations

import functools
import ssl

__all__ = ["default_http_context", "default_websocket_context", "forget_defaults"]


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


def forget_defaults() -> None:
    """Make the defaults again on next use (after a test changes ``SSL_CERT_FILE``)."""
    default_websocket_context.cache_clear()
    default_http_context.cache_clear()
