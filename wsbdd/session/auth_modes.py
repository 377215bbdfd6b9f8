"""Where a token travels, one class per ``[auth] mode`` of the API profile.

Each strategy places the token in the handshake being drawn up (a query
parameter, a header, a subprotocol, a cookie) or leaves the handshake alone and
says the token goes in a first message. Adding a mode is a class here, its
name in :data:`~wsbdd.core.profiles.model.AuthMode`, and a test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from wsbdd.core.exceptions import ProfileError
from wsbdd.core.profiles import AuthSpec

__all__ = [
    "AUTH_STRATEGIES",
    "AuthStrategy",
    "ConnectPacketAuth",
    "CookieAuth",
    "HandshakeDraft",
    "HeaderAuth",
    "MessageAuth",
    "NoAuth",
    "QueryAuth",
    "SubprotocolAuth",
    "strategy_for",
]

Render = Callable[[str], str]
"""Renders an ``[auth]`` template (``Bearer ${token}``) with the token and identity."""


@dataclass(slots=True)
class HandshakeDraft:
    """The handshake of a connection being drawn up: URL, headers and subprotocols."""

    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    subprotocols: list[str] = field(default_factory=list)


class AuthStrategy:
    """How one auth mode carries a token (this base: not at all)."""

    mode: ClassVar[str] = "none"
    by_message: ClassVar[bool] = False
    """The token goes in a first message once the connection opened (not the handshake)."""

    def place(self, draft: HandshakeDraft, auth: AuthSpec, token: str, render: Render) -> None:
        """Put ``token`` into the handshake ``draft`` (nothing, for this base)."""


class NoAuth(AuthStrategy):
    """``mode = "none"``: the token is not sent."""

    mode = "none"


class QueryAuth(AuthStrategy):
    """``mode = "query"``: ``?<param>=<token>`` on the URL (replacing one already there)."""

    mode = "query"

    def place(self, draft: HandshakeDraft, auth: AuthSpec, token: str, render: Render) -> None:
        """Set the query parameter ``auth.param`` to the token."""
        parts = urlsplit(draft.url)
        query = [
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != auth.param
        ]
        query.append((auth.param, token))
        draft.url = urlunsplit(
            (parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment)
        )


class HeaderAuth(AuthStrategy):
    """``mode = "header"``: ``<header>: <value>`` (``Authorization: Bearer ${token}``)."""

    mode = "header"

    def place(self, draft: HandshakeDraft, auth: AuthSpec, token: str, render: Render) -> None:
        """Add the header ``auth.header`` with the rendered ``auth.value``."""
        draft.headers.append((auth.header, render(auth.value)))


class SubprotocolAuth(AuthStrategy):
    """``mode = "subprotocol"``: the rendered ``value`` offered after the profile's subprotocols."""

    mode = "subprotocol"

    def place(self, draft: HandshakeDraft, auth: AuthSpec, token: str, render: Render) -> None:
        """Offer the rendered ``auth.value`` as one more subprotocol."""
        draft.subprotocols.append(render(auth.value))


class CookieAuth(AuthStrategy):
    """``mode = "cookie"``: a ``Cookie: <param>=<token>`` header in the handshake.

    A ``Cookie`` header the step already gives ("with headers:") keeps its
    cookies: the token's is appended to it.
    """

    mode = "cookie"

    def place(self, draft: HandshakeDraft, auth: AuthSpec, token: str, render: Render) -> None:
        """Add the cookie ``auth.param`` = token to the handshake's ``Cookie`` header."""
        cookie = f"{auth.param}={token}"
        for index, (name, value) in enumerate(draft.headers):
            if name.lower() == "cookie":
                draft.headers[index] = (name, f"{value}; {cookie}" if value else cookie)
                return
        draft.headers.append(("Cookie", cookie))


class MessageAuth(AuthStrategy):
    """``mode = "message"``: the handshake carries nothing; the auth message follows it."""

    mode = "message"
    by_message = True


class ConnectPacketAuth(AuthStrategy):
    """``mode = "auth"`` (Socket.IO): the handshake carries nothing; the token goes in the
    CONNECT packet's auth payload as ``{<param>: <token>}`` (the transport's options)."""

    mode = "auth"


AUTH_STRATEGIES: dict[str, AuthStrategy] = {
    strategy.mode: strategy
    for strategy in (
        NoAuth(),
        QueryAuth(),
        HeaderAuth(),
        SubprotocolAuth(),
        CookieAuth(),
        MessageAuth(),
        ConnectPacketAuth(),
    )
}
"""Every auth mode, by its ``[auth] mode`` name."""


def strategy_for(auth: AuthSpec) -> AuthStrategy:
    """The strategy of the profile's auth mode."""
    strategy = AUTH_STRATEGIES.get(auth.mode)
    if strategy is None:
        raise ProfileError(f"{auth.mode!r} is not one of {', '.join(AUTH_STRATEGIES)}")
    return strategy
