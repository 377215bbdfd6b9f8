"""Hiding tokens, passwords and keys before anything is printed or reported.

A :class:`Redactor` replaces by ``***``:

* every **known secret** (tokens from the environment or the ``Given the
  tokens:`` table), wherever it appears; secrets shorter than 4 characters
  are ignored, since hiding every ``"ab"`` would make reports unreadable;
* the values of **sensitive names**: in URL query strings (``?token=***``),
  ``user:***@host`` passwords, JSON object keys, and ``"name": "value"``
  pairs or ``name=value`` query parameters inside text;
* the values of **sensitive headers**, keeping what helps debugging:
  ``Authorization: Bearer ***``, ``Cookie: sid=***; theme=***``,
  ``Set-Cookie: sid=***; Path=/``, ``X-Api-Key: ***``; plus ``Bearer <token>``
  anywhere in text.

A name is sensitive when, lower-cased and with ``-`` and ``_`` removed, it is
``auth``, ``authorization`` or ``passwd``, or ends with ``token``,
``password``, ``secret`` or ``apikey`` (so ``token``, ``access_token``,
``accessToken``, ``api_key``, ``X-Api-Key`` and ``client_secret`` all are).
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "SENSITIVE_HEADERS",
    "Redactor",
    "is_sensitive_name",
]

MASK: Final = "***"
"""What a hidden value is replaced by."""

MIN_SECRET_LENGTH: Final = 4
"""Secrets shorter than this are not searched for."""

SENSITIVE_HEADERS: Final = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
"""Header names (lower case) whose values are always hidden."""

_EXACT: Final = frozenset({"auth", "authorization", "passwd"})
_SUFFIXES: Final = ("token", "password", "secret", "apikey")

_QUERY_RE: Final = re.compile(r"(?P<lead>[?&])(?P<name>[A-Za-z0-9_.\-]+)=(?P<value>[^&\s#\"'<>]*)")
_JSON_PAIR_RE: Final = re.compile(
    r'"(?P<name>[A-Za-z0-9_.\-]{1,64})"(?P<sep>\s*:\s*)'
    r'(?P<value>"(?:[^"\\]|\\.)*"|-?\d[\d.eE+\-]*)'
)
_HEADER_LINE_RE: Final = re.compile(
    r"(?im)^(?P<name>[A-Za-z][A-Za-z0-9\-]*)(?P<sep>[ \t]*:[ \t]*)(?P<value>[^\r\n]*)$"
)
_BEARER_RE: Final = re.compile(r"\b(?P<scheme>Bearer)\s+[A-Za-z0-9._~+/=\-]+", re.IGNORECASE)


def is_sensitive_name(name: str) -> bool:
    """True for names whose values are secret (``token``, ``accessToken``, ``X-Api-Key``, ...)."""
    squashed = name.strip().lower().replace("-", "").replace("_", "")
    return squashed in _EXACT or squashed.endswith(_SUFFIXES)


def _cookie_pairs(value: str, keep_attributes: bool) -> str:
    parts = value.split(";")
    out: list[str] = []
    for index, part in enumerate(parts):
        if keep_attributes and index > 0:
            out.append(part)
            continue
        name, eq, _ = part.partition("=")
        out.append(f"{name}={MASK}" if eq else MASK if part.strip() else part)
    return ";".join(out)


class Redactor:
    """Hides known secrets and sensitive values in text, URLs, headers and JSON.

    Every method returns a new value; nothing passed in is changed.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._bytes_pattern: re.Pattern[bytes] | None = None
        self.add(*secrets)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secrets searched for, longest first."""
        return tuple(sorted(self._secrets, key=lambda s: (-len(s), s)))

    def add(self, *secrets: str) -> None:
        """Also hide ``secrets`` from now on (short or empty ones are ignored)."""
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= MIN_SECRET_LENGTH:
                self._secrets.add(secret)
        ordered = self.secrets
        if ordered:
            self._pattern = re.compile("|".join(re.escape(s) for s in ordered))
            self._bytes_pattern = re.compile(
                b"|".join(re.escape(s.encode("utf-8")) for s in ordered)
            )

    def _literal(self, text: str) -> str:
        return self._pattern.sub(MASK, text) if self._pattern is not None else text

    def text(self, text: str) -> str:
        """``text`` with secrets, sensitive parameters, pairs, headers and bearer tokens hidden."""
        text = self._literal(text)
        text = _QUERY_RE.sub(
            lambda m: f"{m['lead']}{m['name']}={MASK}" if is_sensitive_name(m["name"]) else m[0],
            text,
        )
        text = _JSON_PAIR_RE.sub(
            lambda m: f'"{m["name"]}"{m["sep"]}"{MASK}"' if is_sensitive_name(m["name"]) else m[0],
            text,
        )
        text = _HEADER_LINE_RE.sub(
            lambda m: f"{m['name']}{m['sep']}{self._header_value(m['name'], m['value'])}", text
        )
        return _BEARER_RE.sub(lambda m: f"{m['scheme']} {MASK}", text)

    def url(self, url: str) -> str:
        """``url`` with its password, sensitive query parameters and secrets hidden."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return self.text(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user, colon, _ = userinfo.partition(":")
            netloc = f"{user}:{MASK}@{host}" if colon else netloc
        query = self._query(parts.query)
        fragment = self._query(parts.fragment)
        rebuilt = urlunsplit((parts.scheme, netloc, parts.path, query, fragment))
        return self._literal(rebuilt)

    @staticmethod
    def _query(query: str) -> str:
        if "=" not in query:
            return query
        out: list[str] = []
        for pair in query.split("&"):
            name, eq, _ = pair.partition("=")
            out.append(f"{name}={MASK}" if eq and is_sensitive_name(unquote_plus(name)) else pair)
        return "&".join(out)

    def header(self, name: str, value: str) -> str:
        """The value of header ``name`` as it may be shown."""
        return self._literal(self._header_value(name, value))

    @staticmethod
    def _header_value(name: str, value: str) -> str:
        lowered = name.strip().lower()
        if lowered in ("authorization", "proxy-authorization"):
            scheme, space, rest = value.strip().partition(" ")
            return f"{scheme} {MASK}" if space and rest.strip() else MASK
        if lowered == "cookie":
            return _cookie_pairs(value, keep_attributes=False)
        if lowered == "set-cookie":
            return _cookie_pairs(value, keep_attributes=True)
        if lowered in SENSITIVE_HEADERS or is_sensitive_name(lowered):
            return MASK
        return value

    def headers(
        self, pairs: Iterable[tuple[str, str]] | Mapping[str, str]
    ) -> list[tuple[str, str]]:
        """Header pairs (or a mapping) with sensitive values and secrets hidden."""
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        return [(name, self.header(name, value)) for name, value in items]

    def value(self, obj: Any) -> Any:
        """A redacted deep copy of a JSON-like value.

        Values under sensitive keys become ``"***"`` (``null`` stays ``null``);
        every string, at any depth, has its secrets hidden.
        """
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, bytes | bytearray):
            return self.bytes(bytes(obj))
        if isinstance(obj, Mapping):
            return {
                key: (
                    MASK
                    if isinstance(key, str) and is_sensitive_name(key) and item is not None
                    else self.value(item)
                )
                for key, item in obj.items()
            }
        if isinstance(obj, list):
            return [self.value(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self.value(item) for item in obj)
        return obj

    def bytes(self, data: builtins.bytes) -> builtins.bytes:
        """``data`` with every secret (as UTF-8) replaced by ``***``."""
        if self._bytes_pattern is None:
            return builtins.bytes(data)
        return self._bytes_pattern.sub(MASK.encode(), data)
