"""Known secrets and their encoded forms, found in one linear scan (private to redaction).

One Aho–Corasick automaton (pyahocorasick) holds every form of every secret,
so finding them all costs one pass over the text whatever their number. The
forms of a secret ``s`` are ``s`` itself, its percent-encodings (``quote``
with and without ``/`` kept, ``quote_plus``, each with upper- and lower-case
hex digits) and its JSON-escaped forms. The automaton is rebuilt lazily, on
the first search after secrets were added.

Every client and transport makes its own index from the run's secrets, two a
connection: an index built from a (small) tuple of secrets is kept, and the
indexes made from the same tuple are copies of it that share its pair of
automata (built once, never changed after, searched read-only) instead of
building their own (about 0.1 ms each). A secret's forms are remembered too.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
from collections.abc import Iterable
from typing import Final
from urllib.parse import quote, quote_plus

import ahocorasick

__all__ = ["SecretIndex", "forms_of"]

_PREFIX: Final = 4
"""Prefixes of secrets are looked up by their first this many characters."""
_HEX: Final = re.compile(r"%[0-9A-F]{2}")


def _lower_hex(encoded: str) -> str:
    return _HEX.sub(lambda m: m[0].lower(), encoded)


_SEEDED_AT_MOST: Final = 64
"""Tuples of more secrets than this are not kept as seeds (each seed holds all their forms)."""


@functools.lru_cache(maxsize=256)
def forms_of(secret: str) -> frozenset[str]:
    """``secret`` and every encoded form it may take in URLs, forms and JSON text."""
    forms = {secret}
    for encoded in (quote(secret, safe=""), quote(secret), quote_plus(secret)):
        forms.add(encoded)
        forms.add(_lower_hex(encoded))
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    return frozenset(forms)


def _automata(forms: frozenset[str]) -> tuple[ahocorasick.Automaton, ahocorasick.Automaton]:
    """The automata finding ``forms`` in text and in UTF-8 bytes (read as latin-1)."""
    text_ac, bytes_ac = ahocorasick.Automaton(), ahocorasick.Automaton()
    for form in forms:
        text_ac.add_word(form, len(form))
        raw = form.encode("utf-8").decode("latin-1")
        bytes_ac.add_word(raw, len(raw))
    text_ac.make_automaton()
    bytes_ac.make_automaton()
    return text_ac, bytes_ac


class SecretIndex:
    """Every form of every secret, searchable in text and bytes in one pass."""

    def __init__(self, min_length: int) -> None:
        self._min = min_length
        self._secrets: set[str] = set()
        self._forms: set[str] = set()
        self._by_prefix: dict[str, tuple[str, ...]] = {}
        self._text: ahocorasick.Automaton | None = None
        self._bytes: ahocorasick.Automaton | None = None
        self._longest = 0
        self._dirty = False
        self._lock = threading.Lock()  # the console may be written from another thread
        self._ordered: tuple[str, ...] | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secrets (not their forms), longest first."""
        ordered = self._ordered
        if ordered is None:
            ordered = self._ordered = tuple(sorted(self._secrets, key=lambda s: (-len(s), s)))
        return ordered

    def __contains__(self, secret: object) -> bool:
        return secret in self._secrets

    @classmethod
    def seeded(cls, min_length: int, secrets: Iterable[str]) -> SecretIndex:
        """A new index holding ``secrets``: a copy of the one last made from the same secrets."""
        seed = tuple(secrets)
        if len(seed) <= _SEEDED_AT_MOST:
            with contextlib.suppress(TypeError):  # an unhashable value: made the long way
                return _seed(min_length, seed).copy()
        index = cls(min_length)
        index.add(seed)
        return index

    def copy(self) -> SecretIndex:
        """An index with the same secrets that learns on its own (the automata are shared)."""
        twin = SecretIndex(self._min)
        with self._lock:
            twin._secrets, twin._forms = set(self._secrets), set(self._forms)
            twin._by_prefix = dict(self._by_prefix)
            twin._text, twin._bytes = self._text, self._bytes
            twin._longest, twin._dirty, twin._ordered = self._longest, self._dirty, self._ordered
        return twin

    def add(self, secrets: Iterable[str]) -> bool:
        """Add ``secrets`` (short ones are ignored); True when one was new."""
        known, shortest = self._secrets, self._min
        fresh = [s for s in secrets if isinstance(s, str) and len(s) >= shortest and s not in known]
        if not fresh:
            return False
        with self._lock:
            return self._add(fresh)

    def _add(self, secrets: list[str]) -> bool:
        added = False
        for secret in secrets:
            if not isinstance(secret, str) or len(secret) < self._min:
                continue
            if secret in self._secrets:
                continue
            self._secrets.add(secret)
            self._ordered = None
            for form in forms_of(secret):
                if len(form) >= self._min and form not in self._forms:
                    self._forms.add(form)
                    prefix = form[:_PREFIX]
                    self._by_prefix[prefix] = (*self._by_prefix.get(prefix, ()), form)
                    self._longest = max(self._longest, len(form))
            added = True
        self._dirty = self._dirty or added
        return added

    def _build(self) -> None:
        with self._lock:
            if not self._dirty and self._text is not None:
                return
            self._build_locked()

    def _build_locked(self) -> None:
        self._text, self._bytes = _automata(frozenset(self._forms))
        self._dirty = False

    def _spans(self, automaton_name: str, text: str) -> list[tuple[int, int]]:
        if not self._forms:
            return []
        if self._dirty or self._text is None:
            self._build()
        automaton = self._text if automaton_name == "text" else self._bytes
        assert automaton is not None
        return [(end + 1 - length, end + 1) for end, length in automaton.iter_long(text)]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` of every secret form in ``text``, left to right, not overlapping."""
        return self._spans("text", text)

    def byte_spans(self, data: bytes) -> list[tuple[int, int]]:
        """The same for the UTF-8 forms in ``data``."""
        return self._spans("bytes", data.decode("latin-1"))

    def cut_prefix(self, text: str, end: int, floor: int) -> int | None:
        """Where a secret form starts whose first characters end at ``end`` (a cut), if any.

        Only prefixes of at least ``min_length`` characters starting at or
        after ``floor`` count; the longest wins.
        """
        start = max(floor, end - self._longest)
        for i in range(start, end - self._min + 1):
            for form in self._by_prefix.get(text[i : i + _PREFIX], ()):
                if form.startswith(text[i:end]) and len(form) > end - i:
                    return i
        return None


@functools.lru_cache(maxsize=16)
def _seed(min_length: int, secrets: tuple[str, ...]) -> SecretIndex:
    """The index of ``secrets``, built, kept to be copied (never changed itself)."""
    index = SecretIndex(min_length)
    index.add(secrets)
    index.spans("")  # builds the automata the copies share
    return index
