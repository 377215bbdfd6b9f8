"""The messages of an inbox that one wait has not looked at yet."""

from __future__ import annotations

import bisect

from wsbdd.core.records import Message

__all__ = ["NewMessages"]


class NewMessages:
    """The unconsumed messages that arrived since the last call (all of them, the first time).

    A wait looks at each message once: looking only at what arrived since its
    last look keeps a wait over a flood of 100,000 messages linear instead of
    rescanning the whole inbox each time. The inbox is in arrival order, so
    ``Message.index`` grows along it (consumed messages leave gaps only).
    """

    def __init__(self) -> None:
        self._last = -1

    def __call__(self, inbox: list[Message]) -> list[Message]:
        """The messages of ``inbox`` after the last one returned before."""
        fresh = inbox[bisect.bisect_right(inbox, self._last, key=_index) :]
        if fresh:
            self._last = fresh[-1].index
        return fresh


def _index(message: Message) -> int:
    return message.index
