"""Frame payloads as the report shows them: redacted, and cut when they are big.

A 10 MiB frame is evidence, but not 10 MiB of it per attachment: each
payload is redacted whole (so no cut can expose a secret), then

* in the text transcript (``transcript A``), a text payload longer than
  :data:`TEXT_PAYLOAD_LIMIT` characters is cut there and ends with
  ``… (N chars, the first 4096 shown)``; a binary one shows its first 64 bytes;
* in the JSON attachments (``messages A.json``, ``failure.json``), a payload
  longer than :data:`JSON_PAYLOAD_LIMIT` characters (or bytes) is not parsed:
  the record has ``"text"`` (or ``"hex"``) with its first 65,536 characters
  (bytes), ``"size"`` (its full length) and ``"cut": true``.
"""

from __future__ import annotations

import json
from typing import Any, Final

from wsbdd.core.redaction import Redactor

__all__ = ["JSON_PAYLOAD_LIMIT", "TEXT_PAYLOAD_LIMIT", "json_payload", "shown_text"]

TEXT_PAYLOAD_LIMIT: Final = 4096
"""Characters of a text frame shown in the text transcript."""

JSON_PAYLOAD_LIMIT: Final = 65536
"""Characters (bytes) of a frame kept in the JSON attachments."""


def shown_text(redactor: Redactor, text: str, limit: int = TEXT_PAYLOAD_LIMIT) -> str:
    """``text`` redacted, cut to ``limit`` characters with a marker saying so."""
    shown = redactor.text(text)
    if len(shown) <= limit:
        return shown
    return f"{shown[:limit]}… ({len(text)} chars, the first {limit} shown)"


_UNPARSED: Final = object()


def json_payload(
    redactor: Redactor,
    data: str | bytes,
    parsed: Any = _UNPARSED,
    limit: int = JSON_PAYLOAD_LIMIT,
) -> dict[str, Any]:
    """The payload fields of a JSON record: ``json``, ``text`` or ``hex`` (cut: + size).

    ``parsed`` is the payload's value when the caller has it (a JSON text, or
    a binary frame a codec decoded): it is shown as ``json`` unless the text
    is too big. Without it, a text payload is parsed here.
    """
    if parsed is not _UNPARSED and (isinstance(data, bytes) or len(data) <= limit):
        return {"json": redactor.value(parsed)}
    if isinstance(data, bytes):
        shown_bytes = redactor.bytes(data)
        if len(data) <= limit:
            return {"hex": shown_bytes.hex()}
        return {"hex": shown_bytes[:limit].hex(), "size": len(data), "cut": True}
    if len(data) > limit:
        return {"text": redactor.text(data)[:limit], "size": len(data), "cut": True}
    try:
        value = json.loads(data)
    except ValueError:
        return {"text": redactor.text(data)}
    return {"json": redactor.value(value)}
