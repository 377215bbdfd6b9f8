"""The transport registry: which module opens each kind of connection, and its URL schemes.

A :class:`~wsbdd.runtime.request.ConnectRequest` names its ``transport``
(``"websocket"`` by default); the client builds that transport with the
factory registered here, unless its manager was given its own for that kind
(``ClientManager(transports={"websocket": fake})``: how tests run clients on
:class:`~wsbdd.runtime.transports.fake.FakeServer` without a socket).

Factories are named by ``"module:attribute"`` and imported on first use, so
this module imports no transport (nor anything of the runtime) and a request
can check its URL here without an import cycle. Adding a transport touches
three files: its module, one :class:`TransportSpec` line below, and the docs.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from wsbdd.core.exceptions import UsageError

__all__ = ["TransportSpec", "check_url", "kinds", "load_factory", "register", "spec"]


@dataclass(frozen=True, slots=True)
class TransportSpec:
    """One kind of transport: its name, factory (``"module:attribute"``) and URL schemes."""

    kind: str
    target: str
    schemes: tuple[str, ...]
    what: str
    """How a URL of this kind is named in an error (``a WebSocket URL``)."""


_SPECS: dict[str, TransportSpec] = {
    s.kind: s
    for s in (
        TransportSpec(
            "websocket",
            "wsbdd.runtime.transports.websocket:WebSocketTransport",
            ("ws://", "wss://"),
            "a WebSocket URL",
        ),
        TransportSpec(
            "sse",
            "wsbdd.runtime.transports.sse:SseTransport",
            ("http://", "https://"),
            "an SSE URL",
        ),
        TransportSpec(
            "socketio",
            "wsbdd.runtime.transports.socketio:SocketIoTransport",
            ("http://", "https://", "ws://", "wss://"),
            "a Socket.IO URL",
        ),
        TransportSpec(
            "fake",
            "wsbdd.runtime.transports.fake:FakeTransport",
            ("ws://", "wss://", "http://", "https://"),
            "a fake connection's URL",
        ),
    )
}


def kinds() -> list[str]:
    """Every registered transport kind."""
    return list(_SPECS)


def register(new: TransportSpec) -> None:
    """Add (or replace) a transport kind."""
    _SPECS[new.kind] = new


def spec(kind: str) -> TransportSpec:
    """The spec of ``kind``; a :class:`UsageError` naming the known kinds otherwise."""
    try:
        return _SPECS[kind]
    except KeyError:
        known = ", ".join(_SPECS)
        raise UsageError(f'unknown transport "{kind}" (known: {known})') from None


def check_url(kind: str, url: str) -> None:
    """Raise a one-line :class:`UsageError` unless ``url`` has a scheme ``kind`` opens."""
    s = spec(kind)
    if not url.startswith(s.schemes):
        schemes = " or ".join(s.schemes)
        raise UsageError(f'cannot connect to "{url}": {s.what} starts with {schemes}')


def load_factory(kind: str) -> object:
    """Import and return the factory of ``kind`` (the caller knows its type)."""
    module, _, attribute = spec(kind).target.partition(":")
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f'the "{kind}" transport is not available: {exc}') from None
