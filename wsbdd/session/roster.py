"""The scenario's roster: who each client is, with which token, connected how.

A :class:`Roster` answers client → identity, token and connect spec, and
identity → token (the environment's ``WSBDD_TOKEN_*`` overlaid with the
scenario's ``Given the tokens:`` table). Every token it hands out is added
to the redactor first, so no output shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wsbdd.core.close_texts import AUTH_CLOSE_CODES
from wsbdd.core.exceptions import ConfigError, UsageError
from wsbdd.core.records import CloseInfo
from wsbdd.core.redaction import Redactor

if TYPE_CHECKING:
    from wsbdd.runtime import ConnectRequest

__all__ = ["ConnectSpec", "Enrolment", "Roster"]


@dataclass(slots=True)
class ConnectSpec:
    """The clauses of a connect step, before variables and tokens are resolved."""

    target: str | None = None
    identity: str | None = None
    token: str | None = None
    no_token: bool = False
    subprotocols: tuple[str, ...] = ()
    origin: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    transport: str | None = None
    """``over SSE`` / ``over Socket.IO``; None: the profile's transport (WebSocket default)."""


@dataclass(slots=True)
class Enrolment:
    """What the scenario remembers about a client beyond its connection."""

    spec: ConnectSpec
    request: ConnectRequest
    identity: str | None = None
    token: str | None = None


class Roster:
    """Tokens by identity, and each named client's identity, token and connect request."""

    def __init__(
        self, env_tokens: Mapping[str, str], source: str | None, redactor: Redactor
    ) -> None:
        self._env_tokens = dict(env_tokens)
        self._source = source
        self._redactor = redactor
        self.tokens: dict[str, str] = dict(env_tokens)
        self._clients: dict[str, Enrolment] = {}

    # -- tokens ------------------------------------------------------------------

    def set_tokens(self, rows: Iterable[Mapping[str, str]], text: Callable[[str], str]) -> None:
        """``Given the tokens:`` with columns user and token (``text`` substitutes variables)."""
        for row in rows:
            user, token = row.get("user"), row.get("token")
            if not user or token is None:
                raise UsageError('the tokens table needs the columns "user" and "token"')
            self.tokens[user.lower()] = text(token)
            self._redactor.add(self.tokens[user.lower()])

    def token_for(self, identity: str) -> str:
        """The token of ``identity`` (a ConfigError naming where to set it when unknown)."""
        token = self.tokens.get(identity.lower())
        if token is None:
            raise ConfigError(
                f"no token for identity {identity!r}: set WSBDD_TOKEN_{identity.upper()} "
                f'or add it to a "Given the tokens:" table',
                file=self._source,
                key=f"WSBDD_TOKEN_{identity.upper()}",
            )
        return token

    def token_hint(self, name: str, info: CloseInfo | None) -> str:
        """Where client ``name``'s token came from, after a close that refuses it."""
        enrolled = self._clients.get(name)
        if enrolled is None or enrolled.token is None or enrolled.identity is None:
            return ""
        if info is None or info.code not in AUTH_CLOSE_CODES or info.initiated_by != "server":
            return ""
        identity = enrolled.identity
        if self._env_tokens.get(identity.lower()) == enrolled.token:
            return f" (is WSBDD_TOKEN_{identity.upper()} in {self._source} right?)"
        return f' (is the token of {identity} in the "Given the tokens:" table right?)'

    # -- clients -----------------------------------------------------------------

    def enrol(self, name: str, enrolment: Enrolment) -> None:
        """Client ``name`` connected with this spec and request, as this identity."""
        self._clients[name] = enrolment

    def restore(self, name: str, earlier: Enrolment | None) -> None:
        """Undo an :meth:`enrol` whose connect raised: back to ``earlier`` (None: unknown)."""
        if earlier is None:
            self._clients.pop(name, None)
        else:
            self._clients[name] = earlier

    def enrolment(self, name: str) -> Enrolment | None:
        """What the scenario remembers of client ``name`` (None before it connected)."""
        return self._clients.get(name)

    def identity_of(self, name: str) -> str | None:
        """Whom client ``name`` is connected as (None: no identity)."""
        enrolled = self._clients.get(name)
        return enrolled.identity if enrolled else None

    def forget(self) -> None:
        """End of scenario: forget every client."""
        self._clients.clear()
