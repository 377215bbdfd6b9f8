"""The one place that imports ``allure``: attaching is a no-op without it.

When no Allure formatter is active, ``allure.attach`` has no listener and does
nothing, so these helpers are always safe to call.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["attach_csv", "attach_json", "attach_svg", "attach_text", "is_active", "layout_json"]


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
    """A JSON attachment, laid out two levels deep (non-JSON values shown as strings)."""
    _attach(layout_json(value), name, "JSON")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def layout_json(value: Any, depth: int = 2, indent: str = "") -> str:
    """``value`` as JSON text: its first ``depth`` levels one member per line, deeper ones compact.

    A transcript's messages read one per line. ``json.dumps(indent=...)`` runs
    the pure-Python encoder over every value (a few milliseconds a scenario);
    compact leaves use the C encoder.
    """
    inner = indent + "  "
    if depth > 0 and isinstance(value, dict) and value:
        members = (f"{inner}{_compact(str(k))}: {layout_json(v, depth - 1, inner)}"
                   for k, v in value.items())
        return "{\n" + ",\n".join(members) + f"\n{indent}}}"
    if depth > 0 and isinstance(value, list | tuple) and value:
        items = (f"{inner}{layout_json(v, depth - 1, inner)}" for v in value)
        return "[\n" + ",\n".join(items) + f"\n{indent}]"
    return _compact(value)


def attach_svg(body: str, name: str) -> None:
    """An SVG image attachment (the report shows it inline)."""
    _attach(body, name, "SVG")


def attach_csv(body: str, name: str) -> None:
    """A CSV attachment (the report shows it as a table)."""
    _attach(body, name, "CSV")
