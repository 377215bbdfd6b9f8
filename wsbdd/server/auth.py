"""Users and tokens: the built-in table, ``--users FILE`` and ``WSBDD_SERVER_USERS``."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "DEFAULT_USERS",
    "ENV_USERS",
    "UserTable",
    "bearer_token",
    "load_users_file",
    "parse_users_env",
    "token_from_request",
]

DEFAULT_USERS: Mapping[str, str] = {
    "alice": "alice-token",
    "bob": "bob-token",
    "carol": "carol-token",
}
ENV_USERS = "WSBDD_SERVER_USERS"


def parse_users_env(value: str) -> dict[str, str]:
    """Parse ``"alice:tok1,bob:tok2"``; raise ``ValueError`` on a malformed entry."""
    users: dict[str, str] = {}
    for entry in value.split(","):
        entry = entry.strip()
        if not entry:
            continue
        user, sep, token = entry.partition(":")
        if not sep or not user.strip() or not token.strip():
            raise ValueError(f"{ENV_USERS}: expected user:token, got {entry!r}")
        users[user.strip()] = token.strip()
    if not users:
        raise ValueError(f"{ENV_USERS} is set but names no user")
    return users


def load_users_file(path: str | Path) -> dict[str, str]:
    """Read a JSON object ``{"user": "token"}``; raise ``ValueError`` naming the file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read users file: {exc}") from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in data.items()
    ):
        raise ValueError(f'{path}: expected a JSON object {{"user": "token", ...}}')
    return dict(data)


class UserTable:
    """Maps tokens to users (one token per user, one user may hold many connections)."""

    def __init__(self, users: Mapping[str, str]) -> None:
        self.users = dict(users)
        self._by_token = {token: user for user, token in self.users.items()}

    @classmethod
    def resolve(
        cls, users: Mapping[str, str] | None, environ: Mapping[str, str] | None = None
    ) -> UserTable:
        """``users`` when given, else ``WSBDD_SERVER_USERS``, else the built-in table."""
        if users is not None:
            return cls(users)
        env = os.environ if environ is None else environ
        value = env.get(ENV_USERS, "").strip()
        return cls(parse_users_env(value) if value else DEFAULT_USERS)

    def user_for(self, token: str) -> str | None:
        """The user owning ``token``, or None."""
        return self._by_token.get(token)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header value, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_from_request(target: str, authorization: str | None) -> str | None:
    """The token from ``?token=`` in the request target, else from the Bearer header."""
    query = urlsplit(target).query
    values = parse_qs(query).get("token") if query else None
    if values and values[0]:
        return values[0]
    return bearer_token(authorization)
