"""How a Socket.IO connection is made: :class:`SocketIOOptions` (plain data, no imports).

Kept apart from the transport so a :class:`~wsbdd.runtime.request.ConnectRequest`
can carry it without importing python-socketio.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["DEFAULT_ENGINEIO_PATH", "AuthPlacement", "SocketIOOptions"]

DEFAULT_ENGINEIO_PATH = "/socket.io/"
"""Where Socket.IO servers mount Engine.IO unless told otherwise."""

AuthPlacement = Literal["auth", "query", "header"]
"""Where the token goes: the CONNECT auth payload, the query string or a header."""


@dataclass(frozen=True, slots=True)
class SocketIOOptions:
    """How a Socket.IO connection is made (from the environment and the profile).

    ``path`` is the Engine.IO path (``/socket.io/``). ``token`` goes where
    ``auth_in`` says: ``auth`` puts ``{auth_key: token}`` in the CONNECT
    packet, ``query`` adds ``auth_key=token`` to the URL, ``header`` sends
    ``Authorization: Bearer token`` (or ``auth_key: token`` when ``auth_key``
    is not ``token``). ``extra_auth`` is merged into the auth payload.
    """

    path: str = DEFAULT_ENGINEIO_PATH
    token: str | None = None
    auth_in: AuthPlacement = "auth"
    auth_key: str = "token"
    extra_auth: Mapping[str, Any] = field(default_factory=dict)

    def auth_payload(self) -> dict[str, Any]:
        """The CONNECT packet's auth payload."""
        payload = dict(self.extra_auth)
        if self.token is not None and self.auth_in == "auth":
            payload[self.auth_key] = self.token
        return payload
