"""behave details the reporting modules share (no Allure import here)."""

from __future__ import annotations

from typing import Any

__all__ = ["status_name"]


def status_name(element: Any) -> str:
    """The behave status of a step or scenario as a plain name (``"hook_error"``)."""
    status = getattr(element, "status", None)
    return str(getattr(status, "name", status))
