"""Which transport a connect step uses, and what a Socket.IO connection needs.

``over SSE`` / ``over Socket.IO`` in the step wins; else the profile's
``[profile] transport``; else WebSocket. A Socket.IO connection resolves a
path against ``WSBDD_SOCKETIO_URL`` when the environment sets it (its own
server), else against the bundled Socket.IO app when ``Given the Socket.IO
reference app is running`` started it, else against ``WSBDD_URL``; its Engine.IO path is
``WSBDD_SOCKETIO_PATH``, else the profile's ``engineio_path``, else
``/socket.io/``. Without a profile (or with ``[auth] mode = "auth"``) the
token travels in the CONNECT packet's auth payload as ``{"token": …}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from wsbdd.core.exceptions import ConfigError, UsageError
from wsbdd.core.profiles import AuthSpec, Profile
from wsbdd.runtime.transports.socketio_options import DEFAULT_ENGINEIO_PATH, SocketIOOptions

__all__ = [
    "auth_for",
    "base_url",
    "require_websocket",
    "socketio_options",
    "transport_of",
    "use_reference_app",
]

SOCKETIO_URL_KEY = "WSBDD_SOCKETIO_URL"
SOCKETIO_PATH_KEY = "WSBDD_SOCKETIO_PATH"
_reference_app_url: str | None = None
"""The bundled Socket.IO app's ws:// URL once a step started it (for the whole run)."""


def use_reference_app() -> str:
    """Start the bundled Socket.IO app (once per run) and resolve Socket.IO paths against it."""
    global _reference_app_url
    from wsbdd.server.socketio_app import shared_app

    url = shared_app().ws_url
    assert url is not None
    _reference_app_url = url
    return url


def transport_of(profile: Profile | None, chosen: str | None) -> str:
    """The transport kind of a connect step (``chosen`` from its ``over`` clause)."""
    if chosen:
        return chosen
    return profile.transport if profile is not None else "websocket"


def require_websocket(kind: str, profile: Profile | None) -> None:
    """A UsageError when a crowd would open ``kind`` connections: crowds are WebSocket's."""
    if kind == "websocket":
        return
    name = f'the API profile "{profile.name}"' if profile is not None else "the profile"
    raise UsageError(
        f'crowds connect over WebSocket only, and {name} says transport = "{kind}": use '
        "named clients for its connections, or a WebSocket profile for the crowd"
    )


def base_url(settings: Mapping[str, str], kind: str) -> str | None:
    """What a path is resolved against for ``kind`` (None: ``WSBDD_URL``)."""
    if kind != "socketio":
        return None
    value = settings.get(SOCKETIO_URL_KEY, "").strip()
    return value or _reference_app_url


def auth_for(profile: Profile | None, kind: str) -> AuthSpec:
    """Where the token goes: the profile's ``[auth]``; for Socket.IO without one, the payload."""
    if profile is not None:
        return profile.auth
    return AuthSpec(mode="auth") if kind == "socketio" else AuthSpec()


def socketio_options(
    profile: Profile | None, settings: Mapping[str, str], source: str, token: str | None
) -> SocketIOOptions:
    """The Engine.IO path and the auth payload token (``token`` None: not in the payload).

    ``settings`` are the environment's values, ``source`` where they came from.
    """
    path = settings.get(SOCKETIO_PATH_KEY, "").strip()
    if not path and profile is not None:
        path = profile.engineio_path or ""
    if path and not path.startswith("/"):
        raise ConfigError(
            f'"{path}" is not a path: the Engine.IO path starts with /',
            file=source,
            key=SOCKETIO_PATH_KEY,
        )
    auth = auth_for(profile, "socketio")
    return SocketIOOptions(
        path=path or DEFAULT_ENGINEIO_PATH,
        token=token if auth.mode == "auth" else None,
        auth_key=auth.param,
    )
