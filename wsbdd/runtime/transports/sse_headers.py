"""What every SSE request sends (plain data: no httpx import).

Kept apart from the transport so the session can merge a scenario's headers
with these without loading httpx, which only an SSE stream or an HTTP request
needs.
"""

from __future__ import annotations

__all__ = ["EVENT_STREAM", "REQUIRED_HEADERS"]

EVENT_STREAM = "text/event-stream"
"""The content type an SSE answer must have."""

REQUIRED_HEADERS: tuple[tuple[str, str], ...] = (
    ("Accept", EVENT_STREAM),
    ("Cache-Control", "no-store"),
)
"""Headers an SSE request always sends: scenario or step headers never replace them."""
