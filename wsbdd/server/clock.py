"""Timestamps and ids for server frames."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

__all__ = ["new_id", "utc_now"]


def utc_now() -> str:
    """ISO 8601 UTC with milliseconds, e.g. ``2024-05-01T12:00:00.123Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id(prefix: str) -> str:
    """A unique id such as ``msg-3f2a…``."""
    return f"{prefix}-{uuid.uuid4().hex}"
