"""What an API profile says: how this API spells auth, subscribe, publish, ping, resume.

A profile is data, loaded from TOML by :mod:`wsbdd.profiles.loader`. Every
template is a JSON value whose strings may hold ``${variables}``; a string that
is exactly ``"${name}"`` keeps the variable's JSON type.

Variables available to templates: ``${channel}``, ``${user}`` (the client's
identity), ``${token}``, ``${text}``, ``${mark}`` (wsbdd's correlation mark),
``${position}`` (resume), ``${operation_id}`` (one per subscription), the
channel's own variables from ``[channels."<pattern>"]``, then scenario and
environment variables.
"""

from __future__ import annotations

import copy
import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wsbdd.exceptions import ProfileError
from wsbdd.matching import Variables, render_json

__all__ = [
    "AuthSpec",
    "ChannelSpec",
    "DeliverySpec",
    "Exchange",
    "Profile",
    "Template",
    "put_path",
]

AuthMode = Literal["none", "query", "header", "subprotocol", "message"]


@dataclass(frozen=True, slots=True)
class Template:
    """A JSON value with ``${variables}``; ``where`` names its file and key for errors."""

    value: Any
    where: str

    def render(self, variables: Variables) -> Any:
        """The value with every variable substituted (types kept for exact placeholders)."""
        return render_json(json.dumps(self.value, ensure_ascii=False), variables)


@dataclass(frozen=True, slots=True)
class Exchange:
    """A message to send, the answer that confirms it and the one that refuses it."""

    send: Template
    ack: Template | None = None
    reject: Template | None = None


@dataclass(frozen=True, slots=True)
class AuthSpec:
    """How a token travels to the server.

    ``query``: ``?<param>=<token>`` on the URL; ``header``: ``<header>: <value>``;
    ``subprotocol``: ``<value>`` added to the offered subprotocols; ``message``:
    ``message`` sent after the connection opens, then ``ack`` awaited.
    """

    mode: AuthMode = "query"
    param: str = "token"
    header: str = "Authorization"
    value: str = "Bearer ${token}"
    message: Template | None = None
    ack: Template | None = None
    reject: Template | None = None
    on_connect: bool = True


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


@dataclass(frozen=True)
class Profile:
    """An API profile: every high-level step asks it what to send and what to expect."""

    name: str
    source: str
    description: str = ""
    subprotocols: tuple[str, ...] = ()
    auth: AuthSpec = field(default_factory=AuthSpec)
    subscribe: Exchange | None = None
    unsubscribe: Exchange | None = None
    publish: Exchange | None = None
    delivery: DeliverySpec | None = None
    ping: Exchange | None = None
    resume: Exchange | None = None
    channels: tuple[ChannelSpec, ...] = ()
    confirm_window: float = 0.3

    def missing(self, key: str, what: str) -> ProfileError:
        """The error for a step that needs a key this profile does not define."""
        return ProfileError(
            f"profile {self.name!r} does not define [{key}], which {what} needs: add a "
            f"[{key}] table (see docs/profiles.md)",
            file=self.source,
            key=key,
        )

    def channel(self, name: str) -> ChannelSpec | None:
        """The channel settings for ``name``: an exact key first, then glob patterns."""
        for spec in self.channels:
            if spec.pattern == name:
                return spec
        for spec in self.channels:
            if fnmatch.fnmatchcase(name, spec.pattern):
                return spec
        return None

    def delivery_for(self, channel: str) -> DeliverySpec:
        spec = self.channel(channel)
        if spec is not None and spec.delivery is not None:
            return spec.delivery
        if self.delivery is None:
            raise self.missing("delivery", "receiving a channel's messages")
        return self.delivery

    def publish_for(self, channel: str) -> Exchange:
        spec = self.channel(channel)
        if spec is not None and spec.publish is not None:
            return spec.publish
        if self.publish is None:
            raise self.missing("publish", "publishing to a channel")
        return self.publish

    def channel_variables(self, channel: str) -> Mapping[str, Any]:
        spec = self.channel(channel)
        return spec.variables if spec is not None else {}


def put_path(value: Any, path: str, item: Any) -> Any:
    """A deep copy of ``value`` with ``item`` stored at a simple path like ``$.a.b``."""
    keys = [k for k in path.removeprefix("$").split(".") if k]
    if not keys or any("[" in k for k in keys):
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
