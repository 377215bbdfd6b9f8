"""The checked readers of a profile's TOML values: every mistake names the file and the key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from wsbdd.core.exceptions import ProfileError
from wsbdd.core.profiles.model import Exchange, Template

EXCHANGE_KEYS = {"send", "ack", "reject"}
"""The keys of a message exchange (``[subscribe]``, ``[publish]``, ``[ping]``...)."""


def _error(source: str, key: str, message: str) -> ProfileError:
    return ProfileError(message, file=source, key=key)


def _check_keys(table: Mapping[str, Any], allowed: set[str], prefix: str, source: str) -> None:
    for key in table:
        if key not in allowed:
            raise _error(
                source, prefix + key, f"unknown key (expected one of: {', '.join(sorted(allowed))})"
            )


def _table(data: Mapping[str, Any], key: str, source: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _error(source, key, "must be a table")
    return cast(dict[str, Any], value)


def _string(
    table: Mapping[str, Any], key: str, prefix: str, source: str, *, required: bool
) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise _error(source, prefix + key, "is missing")
        return None
    if not isinstance(value, str):
        raise _error(source, prefix + key, f"must be a string, not {type(value).__name__}")
    return value


def _template(value: Any, key: str, source: str) -> Template | None:
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped.startswith(("{", "[")):
            raise _error(source, key, "must be a table or a JSON object/array in a string")
        try:
            value = json.loads(stripped)
        except ValueError as exc:
            raise _error(source, key, f"is not valid JSON: {exc}") from None
    if not isinstance(value, (dict, list)):
        raise _error(source, key, "must be a table (a JSON object template)")
    return Template(value, source, key)


def _section(
    value: Any, key: str, source: str, allowed: set[str], must: str
) -> dict[str, Any] | None:
    """The optional table ``key`` (None when absent) with its keys checked; ``must`` if no table."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _error(source, key, must)
    _check_keys(value, allowed, key + ".", source)
    return cast(dict[str, Any], value)


def _required_template(
    table: Mapping[str, Any], name: str, key: str, source: str, missing: str
) -> Template:
    template = _template(table.get(name), f"{key}.{name}", source)
    if template is None:
        raise _error(source, f"{key}.{name}", f"is missing: {missing}")
    return template


def _rejections(value: Any, key: str, source: str) -> tuple[Template, ...]:
    """``reject``: one template, or a list of templates (tables), each a way of refusing."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return tuple(Template(v, source, f"{key}[{i}]") for i, v in enumerate(value))
    template = _template(value, key, source)
    return (template,) if template is not None else ()


def _exchange(value: Any, key: str, source: str) -> Exchange | None:
    must = "must be a table with send (and optionally ack, reject)"
    table = _section(value, key, source, EXCHANGE_KEYS, must)
    if table is None:
        return None
    rejects = _rejections(table.get("reject"), f"{key}.reject", source)
    return Exchange(
        send=_required_template(table, "send", key, source, "the message to send"),
        ack=_template(table.get("ack"), f"{key}.ack", source),
        reject=rejects[0] if rejects else None,
        also_reject=rejects[1:],
    )
