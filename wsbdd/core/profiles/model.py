"""What an API profile says: how this API spells auth, subscribe, publish, ping, resume.

A profile is data, loaded from TOML by :mod:`wsbdd.core.profiles.loader`. Every
template is a JSON value whose strings may hold ``${variables}``; a string that
is exactly ``"${name}"`` keeps the variable's JSON type.

Variables available to templates: ``${channel}``, ``${wildcard}`` (what the
``*`` of the matching ``[channels."<pattern>"]`` matched; ``${wildcard.2}`` for
a second ``*``), ``${user}`` (the client's identity), ``${token}``, ``${text}``,
``${mark}`` (wsbdd's correlation mark), ``${position}`` (resume),
``${operation_id}`` (one per client and channel), the channel's own
``variables`` (themselves templates), the profile's ``[variables]``, then
scenario and environment variables.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wsbdd.core.exceptions import ProfileError, UnknownVariable, UsageError
from wsbdd.core.matching import Variables, parse_path, render_json

__all__ = [
    "DEFAULT_SETTLE",
    "TRANSPORTS",
    "AuthSpec",
    "ChannelSpec",
    "ConnectionSpec",
    "DeliverySpec",
    "Exchange",
    "HttpRoute",
    "Profile",
    "Template",
    "put_path",
]

AuthMode = Literal["none", "query", "header", "subprotocol", "message", "cookie", "auth"]
"""``auth`` (Socket.IO only): the token in the CONNECT packet's auth payload."""

TRANSPORTS = ("websocket", "sse", "socketio")
"""What ``[profile] transport`` may say."""


@dataclass(frozen=True, slots=True)
class Template:
    """A JSON value with ``${variables}``; ``file`` and ``key`` say where it was written."""

    value: Any
    file: str
    key: str
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    def render(self, variables: Variables, *, channel: str | None = None) -> Any:
        """The value with every variable substituted (types kept for exact placeholders).

        A variable the template uses but nobody set is a :class:`ProfileError`
        naming the file and key, and the channel it was rendered for.
        """
        text = self._text
        if text is None:  # the value is dumped once, on first use
            text = json.dumps(self.value, ensure_ascii=False)
            object.__setattr__(self, "_text", text)
        try:
            return render_json(text, variables)
        except UnknownVariable as exc:
            if channel is None:
                hint = "set it as a scenario or environment variable, or in [variables]"
            else:
                hint = (
                    f'declare it for this channel: [channels."{channel}"] '
                    f"variables = {{ {exc.name} = ... }} (or in [variables] for every channel)"
                )
            raise ProfileError(
                f"uses ${{{exc.name}}}, which is not set"
                + (f" for channel {channel}" if channel else "")
                + f": {hint}",
                file=self.file,
                key=self.key,
            ) from None


@dataclass(frozen=True, slots=True)
class HttpRoute:
    """Where an exchange goes over HTTP instead of the connection (``[publish] method, path``).

    ``path`` is a string template resolved against ``WSBDD_HTTP_URL``;
    ``headers`` a table of string templates (None: the token travels as the
    profile's ``[auth]`` says, query, header or cookie).
    """

    method: str
    path: Template
    headers: Template | None = None


@dataclass(frozen=True, slots=True)
class Exchange:
    """A message to send, the answer that confirms it and the ones that refuse it.

    ``reject`` is the first (or only) refusal; ``also_reject`` the others,
    when the profile gives ``reject`` as a list of templates. With ``http``
    the message is the body of an HTTP request (a publish over HTTP), and
    ``ack`` a partial match of the response's JSON body.
    """

    send: Template
    ack: Template | None = None
    reject: Template | None = None
    also_reject: tuple[Template, ...] = ()
    http: HttpRoute | None = None

    @property
    def rejections(self) -> tuple[Template, ...]:
        """Every answer that refuses it, in the order the profile lists them."""
        return ((self.reject,) if self.reject is not None else ()) + self.also_reject


DEFAULT_SETTLE = 0.1
"""Seconds a new connection must stay open when the profile names no welcome (100 ms)."""


@dataclass(frozen=True, slots=True)
class ConnectionSpec:
    """What the server says once a connection opened (the profile's ``[connection]``).

    "Client A is connected" holds when the handshake succeeded *and* the
    connection is still open once ``ack`` (a welcome) arrived, or, without a
    welcome, ``settle`` seconds later. ``reject`` (and ``also_reject``) are
    messages that refuse the connection. None of them is consumed.
    """

    ack: Template | None = None
    reject: Template | None = None
    also_reject: tuple[Template, ...] = ()
    settle: float = DEFAULT_SETTLE

    @property
    def rejections(self) -> tuple[Template, ...]:
        """Every message that refuses the connection."""
        return ((self.reject,) if self.reject is not None else ()) + self.also_reject


@dataclass(frozen=True, slots=True)
class AuthSpec:
    """How a token travels to the server.

    ``query``: ``?<param>=<token>`` on the URL; ``header``: ``<header>: <value>``;
    ``subprotocol``: ``<value>`` added to the offered subprotocols; ``cookie``:
    ``Cookie: <param>=<token>``; ``message``: ``message`` sent after the
    connection opens, then ``ack`` awaited; ``auth`` (Socket.IO): ``{<param>:
    <token>}`` in the CONNECT packet's auth payload.
    """

    mode: AuthMode = "query"
    param: str = "token"
    header: str = "Authorization"
    value: str = "Bearer ${token}"
    message: Template | None = None
    ack: Template | None = None
    reject: Template | None = None
    on_connect: bool = True
    also_reject: tuple[Template, ...] = ()

    @property
    def rejections(self) -> tuple[Template, ...]:
        """Every answer that refuses the auth message."""
        return ((self.reject,) if self.reject is not None else ()) + self.also_reject


@dataclass(frozen=True, slots=True)
class DeliverySpec:
    """What a message delivered on a channel looks like, and where its fields live.

    Paths are simple JSON paths (``$.payload.data.message.text``).
    """

    match: Template
    text: str | None = None
    sender: str | None = None
    position: str | None = None
    id: str | None = None
    mark: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """Per-channel settings: variables for the templates, and delivery overrides."""

    pattern: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    delivery: DeliverySpec | None = None
    publish: Exchange | None = None

    def wildcards(self, name: str) -> tuple[str, ...] | None:
        """What each ``*`` of the pattern matched in ``name``; None when it does not match.

        ``*`` is the only special character: it matches any run of characters
        (``room:*`` matches ``room:lobby`` and gives ``("lobby",)``).
        """
        parts = (re.escape(part) for part in self.pattern.split("*"))
        found = re.fullmatch("(.*)".join(parts), name, re.DOTALL)
        return found.groups() if found is not None else None


@dataclass(frozen=True)
class Profile:
    """An API profile: every high-level step asks it what to send and what to expect."""

    name: str
    source: str
    description: str = ""
    subprotocols: tuple[str, ...] = ()
    auth: AuthSpec = field(default_factory=AuthSpec)
    connection: ConnectionSpec = field(default_factory=ConnectionSpec)
    subscribe: Exchange | None = None
    stream: Template | None = None
    """``[subscribe] path`` (SSE): the event stream a subscription opens (``/sse/${channel}``)."""
    unsubscribe: Exchange | None = None
    publish: Exchange | None = None
    delivery: DeliverySpec | None = None
    ping: Exchange | None = None
    resume: Exchange | None = None
    channels: tuple[ChannelSpec, ...] = ()
    confirm_window: float = 0.3
    variables: Mapping[str, Any] = field(default_factory=dict)
    codec: str | None = None
    """``[profile] codec``: how frames become values (``msgpack``...; None: JSON text)."""
    transport: str = "websocket"
    """``[profile] transport``: websocket, sse or socketio (one of :data:`TRANSPORTS`)."""
    engineio_path: str | None = None
    """``[profile] engineio_path`` (Socket.IO): where Engine.IO is mounted (None: /socket.io/)."""

    def missing(self, key: str, what: str) -> ProfileError:
        """The error for a step that needs a key this profile does not define."""
        table, _, leaf = key.rpartition(".")
        how = f"add {leaf} to its [{table}] table" if table else f"add a [{key}] table"
        return ProfileError(
            f"profile {self.name!r} does not define {key}, which {what} needs: {how} "
            f"(see docs/profiles.md)",
            file=self.source,
            key=key,
        )

    def channel(self, name: str) -> ChannelSpec | None:
        """The channel settings for ``name``: an exact key first, then ``*`` patterns in order."""
        for spec in self.channels:
            if spec.pattern == name:
                return spec
        for spec in self.channels:
            if spec.wildcards(name) is not None:
                return spec
        return None

    def delivery_for(self, channel: str) -> DeliverySpec:
        """What a message delivered on ``channel`` looks like (the channel's own first)."""
        spec = self.channel(channel)
        if spec is not None and spec.delivery is not None:
            return spec.delivery
        if self.delivery is None:
            raise self.missing("delivery", "receiving a channel's messages")
        return self.delivery

    def publish_for(self, channel: str) -> Exchange:
        """How to publish on ``channel`` (the channel's own ``publish`` first)."""
        spec = self.channel(channel)
        if spec is not None and spec.publish is not None:
            return spec.publish
        if self.publish is None:
            raise self.missing("publish", "publishing to a channel")
        return self.publish

    def channel_variables(self, channel: str) -> dict[str, Any]:
        """The templates of ``channel``'s variables: the profile's ``[variables]``, then its own.

        The values are still templates (they may use ``${channel}``, ``${wildcard}``).
        """
        values: dict[str, Any] = dict(self.variables)
        spec = self.channel(channel)
        if spec is not None:
            values.update(spec.variables)
        return values

    def wildcards(self, channel: str) -> dict[str, str]:
        """``wildcard`` (the first ``*``'s match) and ``wildcard.N`` for ``channel``'s pattern."""
        spec = self.channel(channel)
        found = (spec.wildcards(channel) or ()) if spec is not None else ()
        values = {f"wildcard.{number}": text for number, text in enumerate(found, start=1)}
        if found:
            values["wildcard"] = found[0]
        return values


def put_path(value: Any, path: str, item: Any) -> Any:
    """A deep copy of ``value`` with ``item`` stored at a path of object keys like ``$.a.b``.

    Raises :class:`ValueError` for a path that is not only object keys.
    """
    try:
        keys = parse_path(path)
    except UsageError:
        keys = []
    if not keys or not all(isinstance(k, str) for k in keys):
        raise ValueError(f"{path!r} is not a simple path of object keys ($.a.b)")
    result = copy.deepcopy(value) if isinstance(value, dict) else {}
    node = result
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[keys[-1]] = item
    return result
