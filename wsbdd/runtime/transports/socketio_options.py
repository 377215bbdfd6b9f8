"""How a Socket.IO connection is made: :class:`SocketIOOptions` (plain data, no imports).

Kept apart from the transport so a :class:`~wsbdd.runtime.request.ConnectRequest`
can carry it without importing python-socketio.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["DEFAULT_ENGINEIO_PATH", "AuthPlacement", "SocketIOOptions", "header_fields"]

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


def header_fields(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Request headers as the one-value-per-name mapping python-socketio takes.

    A name given twice (in any case) is sent once, its values joined in order:
    with ", " as RFC 9110 §5.3 allows for a repeated field, and with "; " for
    ``Cookie`` (RFC 6265 §5.4: one header, pairs separated by "; "). Before,
    the last value replaced the others and ``X-A`` and ``x-a`` went as two.
    """
    names: dict[str, str] = {}  # lower-case name -> the spelling first given
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        key = name.lower()
        names.setdefault(key, name)
        values.setdefault(key, []).append(value)
    return {
        names[key]: ("; " if key == "cookie" else ", ").join(found)
        for key, found in values.items()
    }
