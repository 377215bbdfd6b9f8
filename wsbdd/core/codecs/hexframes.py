"""Binary frames written as hexadecimal in steps: parsed, printed back as written, compared.

``"0a0b0c"`` and ``"0a 0b 0c"`` are the same three bytes; a frame is printed
back the way the tester wrote it (pairs separated by spaces when they used
spaces). A comparison names the first byte offset where two frames differ.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

__all__ = ["HexFrame", "first_difference", "format_hex", "parse_hex"]

_HEX = set(string.hexdigits)


@dataclass(frozen=True, slots=True)
class HexFrame:
    """Bytes and how they were written (``spaced``: pairs separated by spaces)."""

    data: bytes
    spaced: bool

    def show(self, data: bytes | None = None, limit: int = 64) -> str:
        """``data`` (default: these bytes) in this frame's style, cut after ``limit`` bytes."""
        return format_hex(self.data if data is None else data, spaced=self.spaced, limit=limit)


def parse_hex(text: str) -> HexFrame:
    """The bytes of ``text``; ``ValueError`` with a plain reason when it is not hexadecimal."""
    spaced = any(c.isspace() for c in text.strip())
    cleaned = "".join(text.split())
    bad = next((c for c in cleaned if c not in _HEX), None)
    if bad is not None:
        raise ValueError(f'"{text}" is not hexadecimal: {bad!r} is not 0-9 or a-f')
    if len(cleaned) % 2:
        raise ValueError(f'"{text}" has an odd number of hex digits (each byte is two)')
    return HexFrame(bytes.fromhex(cleaned), spaced)


def format_hex(data: bytes, *, spaced: bool = True, limit: int = 64) -> str:
    """``0a 0b 0c`` (or ``0a0b0c``), with ``… (N bytes)`` past ``limit`` bytes."""
    shown = data[:limit].hex(" ") if spaced else data[:limit].hex()
    if len(data) > limit:
        shown += f"… ({len(data)} bytes)"
    return shown


def first_difference(expected: bytes, got: bytes) -> int | None:
    """The first offset where the two differ (the shorter one's end counts); None if equal."""
    for offset, (a, b) in enumerate(zip(expected, got, strict=False)):
        if a != b:
            return offset
    if len(expected) != len(got):
        return min(len(expected), len(got))
    return None
