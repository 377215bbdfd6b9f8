"""Hiding tokens, passwords and keys before anything is printed or reported.

A :class:`Redactor` replaces by ``***``:

* every **known secret**, wherever it appears, in each of its forms: as is,
  percent-encoded (``quote``, ``quote_plus``, upper- or lower-case hex: a
  token with ``+/=&`` in a URL) and JSON-escaped; and a secret's **first
  characters cut off by ``…``** (a truncated message: at least 4 of them).
  Known secrets are the tokens of the environment and of ``Given the
  tokens:`` tables, and everything :meth:`Redactor.learn` and the rules
  below find: a value under a sensitive name is learnt as a secret, so the
  same value is hidden everywhere else too (a token the server issued under
  ``access_token`` is hidden in a later URL or failure text). Secrets
  shorter than 4 characters are ignored, since hiding every ``"ab"`` would
  make reports unreadable;
* the values of **sensitive names**: in URL query strings (``?token=***``),
  ``user:***@host`` passwords, JSON object keys, and ``"name": "value"``
  pairs (also inside escaped JSON, ``\\"name\\": \\"value\\"``) or
  ``name=value`` query parameters inside text. A value that is a matcher
  (``"{{integer}}"``) or a variable (``"${token}"``) is an expectation or a
  placeholder, not a secret: it is shown as written;
* the values of **sensitive headers**, keeping what helps debugging:
  ``Authorization: Bearer ***``, ``Cookie: sid=***; theme=***``,
  ``Set-Cookie: sid=***; Path=/``, ``X-Api-Key: ***``; plus ``Bearer <token>``
  anywhere in text.

A name is sensitive when, lower-cased and with ``-`` and ``_`` removed, it is
``auth``, ``authorization`` or ``passwd``, or ends with ``token``,
``password``, ``secret`` or ``apikey`` (so ``token``, ``access_token``,
``accessToken``, ``api_key``, ``X-Api-Key`` and ``client_secret`` all are).

Cost: one scan with a regular expression for the rules and one Aho–Corasick
scan for every form of every known secret, both linear in the size of the
text; the result is assembled once.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from wsbdd.core._secret_index import SecretIndex

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "SENSITIVE_HEADERS",
    "Redactor",
    "is_matcher",
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

# Every alternative starts with a literal character, so the scan skips
# quickly over text that cannot start one (a 10 MiB payload of letters).
_SCAN: Final = re.compile(
    r'"[A-Za-z0-9_.\-]{1,64}"\s*:\s*'
    r'|\\"[A-Za-z0-9_.\-]{1,64}\\"\s*:\s*'
    r"|\?[A-Za-z0-9_.\-%+]{1,64}="
    r"|&[A-Za-z0-9_.\-%+]{1,64}="
    r"|\n[A-Za-z][A-Za-z0-9\-]{0,63}[ \t]*:[ \t]*"
    r"|\r[A-Za-z][A-Za-z0-9\-]{0,63}[ \t]*:[ \t]*"
    r"|Bearer\s+|bearer\s+|BEARER\s+"
    r"|…"
)
_HEADER_AT_START: Final = re.compile(r"[A-Za-z][A-Za-z0-9\-]{0,63}[ \t]*:[ \t]*")
_JSON_STRING: Final = re.compile(r'"[^"\\\n…]*(?:\\.[^"\\\n…]*)*"?')
_ESCAPED_STRING: Final = re.compile(r'\\"(?:[^"\\\n…]|\\[^"])*(?:\\")?')
_NUMBER: Final = re.compile(r"-?\d[\d.eE+\-]*")
_QUERY_VALUE: Final = re.compile(r"(?:[^&\s#\"'<>:;,.)]|[:;,.)](?!\s|$))*")
"""A query value in text: punctuation that ends a phrase (``token=abc: ...``) is not part of it."""
_LINE_REST: Final = re.compile(r"[^\r\n]*")
_BEARER_TOKEN: Final = re.compile(r"[A-Za-z0-9._~+/=\-]+")
_MATCHER: Final = re.compile(r"\{\{.*\}\}|\$\{[A-Za-z0-9_.\-]+\}", re.DOTALL)

Edit = tuple[int, int, str]


def is_sensitive_name(name: str) -> bool:
    """True for names whose values are secret (``token``, ``accessToken``, ``X-Api-Key``, ...)."""
    squashed = name.strip().lower().replace("-", "").replace("_", "")
    return squashed in _EXACT or squashed.endswith(_SUFFIXES)


_sensitive = functools.lru_cache(maxsize=4096)(is_sensitive_name)
"""``is_sensitive_name``, remembered: the scans meet the same few names again and again."""


def is_matcher(value: object) -> bool:
    """True for a matcher such as ``"{{integer}}"`` or a ``"${variable}"`` (never a secret)."""
    return isinstance(value, str) and _MATCHER.fullmatch(value.strip()) is not None


def _header_sensitive(name: str) -> bool:
    lowered = name.strip().lower()
    return lowered in SENSITIVE_HEADERS or is_sensitive_name(lowered)


def _header_spans(name: str, value: str, offset: int) -> list[tuple[int, int]]:
    """The spans of ``value`` (at ``offset`` in its text) that are secret for header ``name``."""
    lowered = name.strip().lower()
    if not _header_sensitive(lowered) or not value.strip():
        return []
    if lowered in ("authorization", "proxy-authorization"):
        scheme, space, rest = value.strip().partition(" ")
        if space and rest.strip():
            start = value.index(rest.strip(), value.index(scheme) + len(scheme))
            return [(offset + start, offset + len(value.rstrip()))]
        return [(offset, offset + len(value))]
    if lowered in ("cookie", "set-cookie"):
        spans: list[tuple[int, int]] = []
        position = 0
        for index, part in enumerate(value.split(";")):
            if lowered == "set-cookie" and index > 0:
                break
            eq = part.find("=")
            if eq >= 0:
                spans.append((offset + position + eq + 1, offset + position + len(part)))
            elif part.strip():
                spans.append((offset + position, offset + position + len(part)))
            position += len(part) + 1
        return [(a, b) for a, b in spans if b > a]
    return [(offset, offset + len(value))]


def _assemble(text: str, edits: list[Edit]) -> str:
    """``text`` with the edits applied; overlapping edits merge into one ``***``."""
    if not edits:
        return text
    edits.sort(key=lambda e: (e[0], -e[1]))
    out: list[str] = []
    position = 0
    current: list[Any] | None = None
    for start, end, replacement in edits:
        if current is not None and start < current[1]:
            if end > current[1]:
                current[1], current[2] = end, MASK
            continue
        if current is not None:
            out.append(current[2])
            position = current[1]
        out.append(text[position:start])
        current = [start, end, replacement]
    assert current is not None
    out.append(current[2])
    out.append(text[current[1] :])
    return "".join(out)


class Redactor:
    """Hides known secrets and sensitive values in text, URLs, headers and JSON.

    Every method returns a new value; nothing passed in is changed. Values
    under sensitive names that a method meets are learnt as secrets.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._index = SecretIndex.seeded(MIN_SECRET_LENGTH, secrets)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secrets searched for, longest first."""
        return self._index.secrets

    def add(self, *secrets: str) -> None:
        """Also hide ``secrets`` from now on (short or empty ones are ignored)."""
        self._index.add(secrets)

    # -- learning -------------------------------------------------------------

    def learn(self, obj: Any) -> None:
        """Learn as secrets the strings under sensitive keys anywhere in a JSON-like value."""
        stack = [obj]
        found: list[str] = []
        while stack:
            item = stack.pop()
            if isinstance(item, Mapping):
                for key, value in item.items():
                    sensitive = isinstance(key, str) and is_sensitive_name(key)
                    if sensitive and isinstance(value, str) and not is_matcher(value):
                        found.append(value)
                        continue
                    if isinstance(value, Mapping | list | tuple):
                        stack.append(value)
            elif isinstance(item, list | tuple):
                stack.extend(v for v in item if isinstance(v, Mapping | list | tuple))
        self._index.add(found)

    def learn_table(self, headings: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        """Learn the secrets of a step's table or a Scenario Outline's examples.

        The cells of a column with a sensitive heading (``token``,
        ``password``), and the cell after one naming a sensitive header or
        key (``| X-Api-Key | k-1 |``, ``| Cookie | sid=abc |``). Cells that
        still hold a ``${variable}`` are skipped (its value is known elsewhere).
        """
        sensitive_columns = [i for i, h in enumerate(headings) if is_sensitive_name(h)]
        found: list[str] = []
        for row in rows:
            cells = list(row)
            found.extend(cells[i] for i in sensitive_columns if i < len(cells))
            for i, cell in enumerate(cells[:-1]):
                if _header_sensitive(cell):
                    value = cells[i + 1]
                    found.append(value.strip())
                    found.extend(value[a:b].strip() for a, b in _header_spans(cell, value, 0))
        self._index.add(s for s in found if "${" not in s and not is_matcher(s))

    # -- text -----------------------------------------------------------------

    def _known(self, text: str, edits: list[Edit]) -> list[Edit]:
        edits.extend((a, b, MASK) for a, b in self._index.spans(text))
        return edits

    def _pair_value(self, text: str, at: int, escaped: bool, found: list[str]) -> Edit | None:
        if at >= len(text):
            return None
        if escaped and text.startswith('\\"', at):
            end = _ESCAPED_STRING.match(text, at)
            assert end is not None
            raw = text[at + 2 : end.end()].removesuffix('\\"')
            quoted = '\\"'
        elif text[at] == '"':
            end = _JSON_STRING.match(text, at)
            assert end is not None
            raw = text[at + 1 : end.end()].removesuffix('"')
            quoted = '"'
        else:
            number = _NUMBER.match(text, at)
            return None if number is None else (at, number.end(), f'"{MASK}"')
        if is_matcher(raw):
            return None
        found.append(raw)
        with contextlib.suppress(ValueError):
            found.append(json.loads(f'"{raw}"'))
        closed = end.group().endswith(quoted) and end.end() - at > len(quoted)
        return (at, end.end(), f"{quoted}{MASK}{quoted}" if closed else f"{quoted}{MASK}")

    def _rules(self, text: str, found: list[str]) -> list[Edit]:
        """The edits of the sensitive-name, header, bearer and cut rules (one scan)."""
        edits: list[Edit] = []
        start_header = _HEADER_AT_START.match(text)
        if start_header is not None:
            self._header_edit(text, start_header.group(), 0, start_header.end(), edits, found)
        position = 0
        search = _SCAN.search
        while (m := search(text, position)) is not None:
            token, position = m.group(), m.end()
            first = token[0]
            if first in '"\\':
                escaped = first == "\\"
                name = (
                    token[2 : token.index('\\"', 2)] if escaped else token[1 : token.index('"', 1)]
                )
                if _sensitive(name):
                    edit = self._pair_value(text, position, escaped, found)
                    if edit is not None:
                        edits.append(edit)
                        position = edit[1]
            elif first in "?&":
                if _sensitive(unquote_plus(token[1:-1])):
                    value = _QUERY_VALUE.match(text, position)
                    assert value is not None
                    if value.end() > position:
                        found.extend((value.group(), unquote_plus(value.group())))
                        edits.append((position, value.end(), MASK))
                        position = value.end()
            elif first in "\r\n":
                position = self._header_edit(text, token[1:], m.start() + 1, position, edits, found)
            elif first == "…":
                cut = self._index.cut_prefix(text, m.start(), edits[-1][1] if edits else 0)
                if cut is not None:
                    edits.append((cut, m.start(), MASK))
            elif m.start() == 0 or not text[m.start() - 1].isalnum():
                bearer = _BEARER_TOKEN.match(text, position)
                if bearer is not None:
                    found.append(bearer.group())
                    edits.append((position, bearer.end(), MASK))
                    position = bearer.end()
        return edits

    @staticmethod
    def _header_edit(
        text: str, head: str, start: int, value_at: int, edits: list[Edit], found: list[str]
    ) -> int:
        name = head.split(":", 1)[0].strip()
        if not _header_sensitive(name):
            return value_at
        rest = _LINE_REST.match(text, value_at)
        assert rest is not None
        for a, b in _header_spans(name, rest.group(), value_at):
            found.append(text[a:b].strip())
            edits.append((a, b, MASK))
        return rest.end()

    def text(self, text: str) -> str:
        """``text`` with secrets, sensitive parameters, pairs, headers and bearer tokens hidden."""
        found: list[str] = []
        edits = self._rules(text, found)
        if found:
            self._index.add(s for s in found if not is_matcher(s))
        return _assemble(text, self._known(text, edits))

    def url(self, url: str) -> str:
        """``url`` with its password, sensitive query parameters and secrets hidden."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return self.text(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user, colon, password = userinfo.partition(":")
            if colon:
                self._index.add([password, unquote_plus(password)])
                netloc = f"{user}:{MASK}@{host}"
        query = self._query(parts.query)
        fragment = self._query(parts.fragment)
        return self.text(urlunsplit((parts.scheme, netloc, parts.path, query, fragment)))

    def _query(self, query: str) -> str:
        if "=" not in query:
            return query
        out: list[str] = []
        for pair in query.split("&"):
            name, eq, value = pair.partition("=")
            if eq and is_sensitive_name(unquote_plus(name)):
                self._index.add([value, unquote_plus(value)])
                out.append(f"{name}={MASK}")
            else:
                out.append(pair)
        return "&".join(out)

    def header(self, name: str, value: str) -> str:
        """The value of header ``name`` as it may be shown."""
        spans = _header_spans(name, value, 0)
        self._index.add(value[a:b].strip() for a, b in spans)
        return _assemble(value, self._known(value, [(a, b, MASK) for a, b in spans]))

    def headers(
        self, pairs: Iterable[tuple[str, str]] | Mapping[str, str]
    ) -> list[tuple[str, str]]:
        """Header pairs (or a mapping) with sensitive values and secrets hidden."""
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        return [(name, self.header(name, value)) for name, value in items]

    def value(self, obj: Any) -> Any:
        """A redacted deep copy of a JSON-like value.

        Values under sensitive keys become ``"***"`` (``null`` and matchers
        such as ``"{{integer}}"`` stay as they are) and are learnt; every
        string, at any depth, has its secrets hidden.
        """
        self.learn(obj)
        return self._value(obj)

    def _value(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, bytes | bytearray):
            return self.bytes(bytes(obj))
        if isinstance(obj, Mapping):
            return {
                key: (
                    MASK
                    if isinstance(key, str)
                    and is_sensitive_name(key)
                    and item is not None
                    and not is_matcher(item)
                    else self._value(item)
                )
                for key, item in obj.items()
            }
        if isinstance(obj, list):
            return [self._value(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self._value(item) for item in obj)
        return obj

    def bytes(self, data: builtins.bytes) -> builtins.bytes:
        """``data`` with every secret (as UTF-8, in each of its forms) replaced by ``***``."""
        spans = self._index.byte_spans(data)
        if not spans:
            return builtins.bytes(data)
        mask = MASK.encode()
        out: list[builtins.bytes] = []
        position = 0
        for start, end in spans:
            out.append(data[position:start])
            out.append(mask)
            position = end
        out.append(data[position:])
        return b"".join(out)
