"""What an AsyncAPI contract says, as wsbdd uses it: channels, messages, operations.

Plain records, built by :mod:`wsbdd.core.contracts.document`. Directions are always
the *client's* point of view, because a wsbdd client talks to the API the
contract describes:

* ``received``: frames the API sends to its clients (AsyncAPI 3.0 ``action:
  send``; 2.x ``subscribe``);
* ``sent``: frames the clients send to the API (3.0 ``action: receive``;
  2.x ``publish``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "SETTING",
    "Contract",
    "ContractChannel",
    "ContractMessage",
    "ContractOperation",
    "Direction",
    "address_pattern",
]

SETTING = "WSBDD_ASYNCAPI"
"""The environment key naming the run's contract."""

Direction = Literal["sent", "received"]


def address_pattern(address: str) -> re.Pattern[str]:
    """A channel address with ``{parameters}`` as a regular expression.

    ``room:{room}`` matches ``room:lobby``; a parameter matches one or more
    characters other than ``/``.
    """
    parts = re.split(r"(\{[^{}]+\})", address)
    regex = "".join(
        "[^/]+" if part.startswith("{") and part.endswith("}") else re.escape(part)
        for part in parts
    )
    return re.compile(f"^{regex}$")


@dataclass(frozen=True, slots=True)
class ContractChannel:
    """A channel: its key in the document and its address (``None`` when dynamic)."""

    key: str
    address: str | None
    pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def matches(self, value: str) -> bool:
        """True when ``value`` (a frame's channel, or a connection path) is this channel."""
        return self.pattern is not None and self.pattern.match(value) is not None


@dataclass(frozen=True, slots=True)
class ContractMessage:
    """A message of the contract, on one channel, in one direction.

    ``name`` is how steps name it (the message's ``name``, else its
    ``messageId``, else its key in the document); ``aliases`` holds every
    other of those spellings. ``schema_uri`` locates the payload schema
    (file URI and JSON pointer), ``constants`` the payload's top-level fields
    whose value the schema fixes (``const``, or a one-value ``enum``): they
    tell which contract message a frame is meant to be.
    """

    name: str
    aliases: frozenset[str]
    channel: ContractChannel
    direction: Direction
    operation: str
    schema_uri: str | None
    constants: tuple[tuple[str, Any], ...] = ()

    def named(self, name: str) -> bool:
        return name == self.name or name in self.aliases

    @property
    def label(self) -> str:
        """``OrderCreated (received on orders)`` for texts and coverage."""
        return f"{self.name} ({self.direction} on {self.channel.key})"


@dataclass(frozen=True, slots=True)
class ContractOperation:
    """An operation: its id, its channel and the direction its messages travel."""

    key: str
    channel: ContractChannel
    direction: Direction


@dataclass(frozen=True, slots=True)
class Contract:
    """A loaded AsyncAPI document (2.6 or 3.0) and what wsbdd checks frames against."""

    path: Path
    version: str
    title: str
    channels: tuple[ContractChannel, ...]
    operations: tuple[ContractOperation, ...]
    messages: tuple[ContractMessage, ...]

    def message_names(self) -> list[str]:
        """Every name a step may use for a message, sorted."""
        names = {m.name for m in self.messages} | {a for m in self.messages for a in m.aliases}
        return sorted(names)

    def messages_named(self, name: str) -> list[ContractMessage]:
        return [m for m in self.messages if m.named(name)]
