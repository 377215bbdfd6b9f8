"""Load API profiles from TOML (stdlib ``tomllib``), with errors naming file and key.

``load_profile("chat")`` loads a built-in; ``load_profile("profiles/my-api.toml")``
loads a user's file. A file may start from a built-in with ``extends = "NAME"``
at the top level, and then only add or change what differs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, cast, get_args

from wsbdd.core.codecs import CODEC_NAMES
from wsbdd.core.exceptions import ProfileError, UsageError
from wsbdd.core.matching import parse_path
from wsbdd.core.profiles._fields import (
    _check_keys,
    _error,
    _exchange,
    _rejections,
    _required_template,
    _section,
    _string,
    _table,
    _template,
)
from wsbdd.core.profiles._routes import SENDS_NOTHING, SSE_INSTEAD, publication, subscription
from wsbdd.core.profiles.model import (
    DEFAULT_SETTLE,
    TRANSPORTS,
    AuthMode,
    AuthSpec,
    ChannelSpec,
    ConnectionSpec,
    DeliverySpec,
    Profile,
)
from wsbdd.core.timing import parse_duration

__all__ = ["BUILTIN_PROFILES", "builtin_names", "load_profile", "parse_profile"]

BUILTIN_PROFILES = ("chat", "chat-sse", "graphql-transport-ws", "socketio-chat")

_TOP_KEYS = {
    "extends",
    "profile",
    "auth",
    "connection",
    "subscribe",
    "unsubscribe",
    "publish",
    "delivery",
    "ping",
    "resume",
    "channels",
    "variables",
}
_PROFILE_KEYS = {
    "name", "description", "subprotocols", "confirm_window", "codec", "transport", "engineio_path"
}
_AUTH_KEYS = {"mode", "param", "header", "value", "message", "ack", "reject", "on_connect"}
_AUTH_MODES: tuple[str, ...] = get_args(AuthMode)
_CONNECTION_KEYS = {"ack", "reject", "settle"}
_DELIVERY_KEYS = {"match", "text", "sender", "position", "id", "mark"}
_CHANNEL_KEYS = {"variables", "delivery", "publish"}


def builtin_names() -> list[str]:
    return list(BUILTIN_PROFILES)


def load_profile(name_or_path: str, *, base_dir: Path | None = None) -> Profile:
    """A built-in profile by name, or a TOML file by path (relative to ``base_dir``)."""
    data, source = _read(name_or_path, base_dir or Path.cwd(), seen=())
    return parse_profile(data, source)


def _read(name_or_path: str, base_dir: Path, seen: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    # An error about the name itself belongs to the file that extends it, if any.
    parent = seen[-1] if seen else None
    parent_key = "extends" if seen else None
    if name_or_path in BUILTIN_PROFILES:
        source = f"wsbdd/core/profiles/builtin/{name_or_path}.toml"
        text = (
            resources.files("wsbdd.core.profiles")
            .joinpath("builtin", f"{name_or_path}.toml")
            .read_text(encoding="utf-8")
        )
    else:
        path = Path(name_or_path)
        if not path.is_absolute():
            path = base_dir / path
        if not path.suffix and not path.exists():
            raise ProfileError(
                f"unknown profile {name_or_path!r}: use a built-in "
                f"({', '.join(BUILTIN_PROFILES)}) or the path of a .toml file",
                file=parent,
                key=parent_key,
            )
        if not path.is_file():
            raise ProfileError(f"profile file {path} does not exist", file=parent, key=parent_key)
        source = str(path)
        text = path.read_text(encoding="utf-8")
    if source in seen:
        raise ProfileError(
            f"profiles extend each other in a loop: {' -> '.join((*seen, source))}",
            file=parent,
            key="extends",
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"is not valid TOML: {exc}", file=source) from None
    base_name = data.pop("extends", None)
    if base_name is None:
        return data, source
    if not isinstance(base_name, str):
        raise ProfileError(
            "must be the name or path of another profile", file=source, key="extends"
        )
    base, _ = _read(base_name, Path(source).parent, (*seen, source))
    merged = _merge(base, data)
    head = merged.get("profile")
    if isinstance(head, dict) and "name" not in _table(data, "profile", source):
        # The profile is named after its own file unless it says otherwise.
        merged["profile"] = {k: v for k, v in head.items() if k != "name"}
    return merged, source


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "match":
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def parse_profile(data: Mapping[str, Any], source: str) -> Profile:
    """Validate a profile's TOML data; every mistake names the file and the key."""
    _check_keys(data, _TOP_KEYS, "", source)
    head = _table(data, "profile", source)
    _check_keys(head, _PROFILE_KEYS, "profile.", source)
    transport = _transport(head, source)
    name = _string(head, "name", "profile.", source, required=False) or Path(source).stem
    confirm = head.get("confirm_window", "300 ms")
    try:
        confirm_window = parse_duration(str(confirm))
    except UsageError:
        raise _error(source, "profile.confirm_window", f"{confirm!r} is not a duration") from None
    subprotocols = head.get("subprotocols", [])
    if not isinstance(subprotocols, list) or not all(isinstance(s, str) for s in subprotocols):
        raise _error(source, "profile.subprotocols", "must be a list of strings")
    channels: list[ChannelSpec] = []
    for pattern, table in _table(data, "channels", source).items():
        key = f'channels."{pattern}"'
        if not isinstance(table, dict):
            raise _error(source, key, "must be a table")
        _check_keys(table, _CHANNEL_KEYS, key + ".", source)
        variables = table.get("variables", {})
        if not isinstance(variables, dict):
            raise _error(source, f"{key}.variables", "must be a table of values")
        channels.append(
            ChannelSpec(
                pattern=pattern,
                variables=variables,
                delivery=_delivery(table.get("delivery"), f"{key}.delivery", source),
                publish=publication(table.get("publish"), f"{key}.publish", source, transport),
            )
        )

    defaults = data.get("variables", {})
    if not isinstance(defaults, dict):
        raise _error(source, "variables", "must be a table of values")
    subscribe, stream = subscription(data.get("subscribe"), source, transport)
    if transport == "sse":
        for key in ("unsubscribe", "ping", "resume"):
            if data.get(key) is not None:
                raise _error(source, key, f"{SENDS_NOTHING}: {SSE_INSTEAD[key]}")

    return Profile(
        name=name,
        source=source,
        description=_string(head, "description", "profile.", source, required=False) or "",
        subprotocols=tuple(subprotocols),
        auth=_auth(data.get("auth"), source, transport),
        connection=_connection(data.get("connection"), source),
        subscribe=subscribe,
        stream=stream,
        unsubscribe=_exchange(data.get("unsubscribe"), "unsubscribe", source),
        publish=publication(data.get("publish"), "publish", source, transport),
        delivery=_delivery(data.get("delivery"), "delivery", source),
        ping=_exchange(data.get("ping"), "ping", source),
        resume=_exchange(data.get("resume"), "resume", source),
        channels=tuple(channels),
        confirm_window=confirm_window,
        variables=defaults,
        codec=_codec(head, source),
        transport=transport,
        engineio_path=_engineio_path(head, transport, source),
    )


def _transport(head: Mapping[str, Any], source: str) -> str:
    """``[profile] transport``: websocket (the default), sse or socketio."""
    value = _string(head, "transport", "profile.", source, required=False) or "websocket"
    if value not in TRANSPORTS:
        raise _error(
            source, "profile.transport", f'"{value}" is not a transport: {", ".join(TRANSPORTS)}'
        )
    return value


def _engineio_path(head: Mapping[str, Any], transport: str, source: str) -> str | None:
    """``[profile] engineio_path``: a path starting with /, for a Socket.IO profile only."""
    value = _string(head, "engineio_path", "profile.", source, required=False)
    if value is None:
        return None
    if transport != "socketio":
        raise _error(source, "profile.engineio_path", 'needs transport = "socketio"')
    if not value.startswith("/"):
        raise _error(source, "profile.engineio_path", f'"{value}" must start with /')
    return value


def _codec(head: Mapping[str, Any], source: str) -> str | None:
    """``[profile] codec``: json, msgpack, cbor or protobuf:<Type>:<file> (checked here)."""
    value = _string(head, "codec", "profile.", source, required=False)
    if value is None or value.strip().lower().startswith("protobuf:"):
        return value
    if value.strip().lower() not in CODEC_NAMES:
        raise _error(
            source, "profile.codec", f'"{value}" is not a codec: json, msgpack, cbor or '
            "protobuf:<package.Type>:<file.proto>"
        )
    return value


def _connection(value: Any, source: str) -> ConnectionSpec:
    must = "must be a table with ack, reject or settle"
    table = _section(value, "connection", source, _CONNECTION_KEYS, must)
    if table is None:
        return ConnectionSpec()
    settle = DEFAULT_SETTLE
    if "settle" in table:
        try:
            settle = parse_duration(str(table["settle"]))
        except UsageError:
            raise _error(
                source, "connection.settle", f"{table['settle']!r} is not a duration"
            ) from None
    rejects = _rejections(table.get("reject"), "connection.reject", source)
    return ConnectionSpec(
        ack=_template(table.get("ack"), "connection.ack", source),
        reject=rejects[0] if rejects else None,
        also_reject=rejects[1:],
        settle=settle,
    )


def _delivery(value: Any, key: str, source: str) -> DeliverySpec | None:
    must = "must be a table with match and field paths"
    table = _section(value, key, source, _DELIVERY_KEYS, must)
    if table is None:
        return None
    match = _required_template(table, "match", key, source, "what a delivered message looks like")
    paths: dict[str, str | None] = {}
    for field_name in ("text", "sender", "position", "id", "mark"):
        path = _string(table, field_name, key + ".", source, required=False)
        if path is not None and not path.startswith("$"):
            raise _error(source, f"{key}.{field_name}", f"{path!r} must be a JSON path like $.text")
        if path is not None:
            _check_path(path, f"{key}.{field_name}", source, keys_only=field_name in _PUT_PATHS)
        paths[field_name] = path
    return DeliverySpec(match=match, **paths)


_PUT_PATHS = ("text", "sender")
"""Delivery paths that wsbdd also writes (into the expected delivery): object keys only."""


def _check_path(path: str, key: str, source: str, *, keys_only: bool) -> None:
    """``path`` parses as a JSON path (of object keys only, with ``keys_only``)."""
    try:
        parts = parse_path(path)
    except UsageError as exc:
        raise _error(source, key, str(exc)) from None
    if keys_only and (not parts or not all(isinstance(part, str) for part in parts)):
        raise _error(
            source,
            key,
            f"{path!r} must be a path of object keys like $.payload.text (no [0] indexes): "
            "wsbdd writes the expected value there",
        )


def _auth(value: Any, source: str, transport: str) -> AuthSpec:
    table = _section(value, "auth", source, _AUTH_KEYS, "must be a table")
    default = "auth" if transport == "socketio" else "query"
    if table is None:
        return AuthSpec(mode=cast(AuthMode, default))
    mode = table.get("mode", default)
    if mode not in _AUTH_MODES:
        raise _error(source, "auth.mode", f"{mode!r} is not one of {', '.join(_AUTH_MODES)}")
    if mode == "auth" and transport != "socketio":
        raise _error(
            source, "auth.mode", '"auth" (the CONNECT auth payload) needs transport = "socketio"'
        )
    message = _template(table.get("message"), "auth.message", source)
    if mode == "message" and message is None:
        raise _error(
            source, "auth.message", 'is missing: mode = "message" needs the message to send'
        )
    on_connect = table.get("on_connect", True)
    if not isinstance(on_connect, bool):
        raise _error(source, "auth.on_connect", "must be true or false")
    rejects = _rejections(table.get("reject"), "auth.reject", source)
    return AuthSpec(
        mode=cast(AuthMode, mode),
        param=_string(table, "param", "auth.", source, required=False) or "token",
        header=_string(table, "header", "auth.", source, required=False) or "Authorization",
        value=_string(table, "value", "auth.", source, required=False) or "Bearer ${token}",
        message=message,
        ack=_template(table.get("ack"), "auth.ack", source),
        reject=rejects[0] if rejects else None,
        on_connect=on_connect,
        also_reject=rejects[1:],
    )
