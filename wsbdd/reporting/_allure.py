"""The one place that imports ``allure``: attaching is a no-op without it.

When no Allure formatter is active, ``allure.attach`` has no listener and does
nothing, so these helpers are always safe to call.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["attach_csv", "attach_json", "attach_svg", "attach_text", "is_active"]


def is_active() -> bool:
    """True when an Allure listener will receive attachments (skip the work otherwise)."""
    try:
        import allure_commons
    except ImportError:
        return False
    return bool(allure_commons.plugin_manager.hook.attach_data.get_hookimpls())


def _attach(body: str, name: str, kind: str) -> None:
    try:
        import allure
    except ImportError:  # the core runs without Allure
        return
    allure.attach(body, name=name, attachment_type=getattr(allure.attachment_type, kind))


def attach_text(body: str, name: str) -> None:
    """A plain-text attachment (shown as preformatted text)."""
    _attach(body, name, "TEXT")


def attach_json(value: Any, name: str) -> None:
    """A JSON attachment (pretty-printed; non-JSON values shown as strings)."""
    _attach(json.dumps(value, indent=2, ensure_ascii=False, default=str), name, "JSON")


def attach_svg(body: str, name: str) -> None:
    """An SVG image attachment (the report shows it inline)."""
    _attach(body, name, "SVG")


def attach_csv(body: str, name: str) -> None:
    """A CSV attachment (the report shows it as a table)."""
    _attach(body, name, "CSV")
