"""Channel names and who may use them.

* ``room:<name>`` — public.
* ``user:<name>:private`` and ``orders.user-<name>`` — only user ``<name>``
  (anyone with the ``no_ownership_check`` bug).
* anything else — nobody (``error forbidden``).
"""

from __future__ import annotations

import re

__all__ = ["is_room", "may_use", "orders_channel", "owner_of"]

_ROOM = re.compile(r"room:[^\s]+")
_PRIVATE = re.compile(r"user:([^\s:]+):private")
_ORDERS = re.compile(r"orders\.user-([^\s]+)")


def is_room(channel: str) -> bool:
    """True for a public ``room:<name>`` channel."""
    return _ROOM.fullmatch(channel) is not None


def owner_of(channel: str) -> str | None:
    """The owning user of a private channel, or None when it is not private."""
    for pattern in (_PRIVATE, _ORDERS):
        found = pattern.fullmatch(channel)
        if found:
            return found.group(1)
    return None


def may_use(channel: str, user: str, *, check_ownership: bool = True) -> bool:
    """True when ``user`` may subscribe and publish to ``channel``."""
    if is_room(channel):
        return True
    owner = owner_of(channel)
    if owner is None:
        return False
    return owner == user or not check_ownership


def orders_channel(user: str) -> str:
    """The channel order events of ``user`` are pushed to."""
    return f"orders.user-{user}"
