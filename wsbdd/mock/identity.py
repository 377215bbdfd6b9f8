"""How a mock server tells the clients of an app apart (pure).

By default a connection's client is its query parameter ``client``, else its
header ``X-Client-Id``, else the field ``client`` of its first message.
``Given the mock server tells clients apart by the header "X-Device"`` (or by
the query parameter / by the field ...) uses that one source only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from wsbdd.core.exceptions import UsageError

__all__ = ["DEFAULT_KEYS", "ClientKey", "describe_keys", "identify"]

Source = Literal["query parameter", "header", "field"]


@dataclass(frozen=True, slots=True)
class ClientKey:
    """One place a client's identity is read from: a query parameter, header or field."""

    source: Source
    name: str

    @classmethod
    def parse(cls, source: str, name: str) -> ClientKey:
        """``("header", "X-Device")``; raises :class:`UsageError` for another source."""
        cleaned = " ".join(source.lower().split())
        if cleaned in ("query", "query parameter", "parameter"):
            return cls("query parameter", name)
        if cleaned in ("header", "field"):
            return cls(cleaned, name)  # type: ignore[arg-type]
        raise UsageError(
            f'cannot tell clients apart by "{source}": use the query parameter, '
            f"the header or the field"
        )

    def describe(self) -> str:
        return f'the {self.source} "{self.name}"'


DEFAULT_KEYS: tuple[ClientKey, ...] = (
    ClientKey("query parameter", "client"),
    ClientKey("header", "X-Client-Id"),
    ClientKey("field", "client"),
)


def describe_keys(keys: Sequence[ClientKey]) -> str:
    """``the query parameter "client", the header "X-Client-Id" or the field "client"``."""
    parts = [k.describe() for k in keys]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def identify(
    keys: Sequence[ClientKey],
    query: Sequence[tuple[str, str]],
    headers: Sequence[tuple[str, str]],
    first_message: Any = None,
) -> str | None:
    """The client of a connection, from the first of ``keys`` that it carries."""
    for key in keys:
        if key.source == "query parameter":
            found = next((v for k, v in query if k == key.name), None)
        elif key.source == "header":
            wanted = key.name.lower()
            found = next((v for k, v in headers if k.lower() == wanted), None)
        else:
            value = first_message.get(key.name) if isinstance(first_message, dict) else None
            found = None if value is None or isinstance(value, dict | list) else str(value)
        if found:
            return found
    return None
