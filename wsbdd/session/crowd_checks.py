"""What a crowd received: content checks and delivery latency across every member.

Pure functions over the messages each crowd member keeps (its ``inbox``: the
latest messages after its greeting, each stamped at arrival on the loop):

* :class:`ContentWatch` tells, member by member, whether one kept message
  partially matches an expected value (``Then each of the 500 clients
  receives {"type": "message"} within 2 s``); a member's messages are parsed
  once each, however often the watch is asked;
* :class:`LatencyWatch` finds, in every member's inbox, the arrival of each
  publication of a sender (by its correlation mark, or else its text) and
  turns it into a latency sample: arrival minus send, both ``now()`` stamps;
* :func:`describe_member` renders one member in full for a failure message.

No I/O here: :class:`wsbdd.session.crowds.CrowdOps` runs the watches on the
loop thread through ``Crowd.wait_until``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from wsbdd.core.matching import PathNotFound, matches, select

__all__ = [
    "ContentWatch",
    "DeliveryKey",
    "LatencyWatch",
    "MemberView",
    "describe_member",
    "mark_key",
]

_SHOWN = 200
"""Characters of one kept message shown in a failure."""


class MemberView(Protocol):
    """What the checks read of a crowd member (:class:`wsbdd.runtime.crowd.Member`)."""

    index: int
    received: int
    inbox: list[tuple[float, bytes]] | None

    def problem(self) -> str | None:
        """Why the member is not connected (None when it is)."""


DeliveryKey = Callable[[Any], str | None]
"""Which publication a parsed message delivers (its mark), or None."""


def _parsed(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return _NOT_JSON


_NOT_JSON = object()


class _Cursor:
    """Per-member scanning state: how much of the inbox was looked at, by arrival stamp."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last = float("-inf")

    def fresh(self, member: MemberView) -> list[tuple[float, bytes]]:
        """The kept messages that arrived after the last call (the inbox drops old ones).

        Messages read in one chunk share a stamp, but they are kept in the
        same loop callback, so no call runs between them.
        """
        inbox = member.inbox or []
        new = [item for item in inbox if item[0] > self.last]
        if new:
            self.last = new[-1][0]
        return new


class _FrontWatch:
    """Members checked in order behind a moving front: a wake-up per arrival costs
    little while most members are done. Subclasses say what ``check`` looks for."""

    members: Sequence[MemberView]
    _front: int

    def check(self, position: int) -> bool:
        raise NotImplementedError

    def complete(self) -> bool:
        """Every member passes :meth:`check` (checks members from the first that did not)."""
        while self._front < len(self.members) and self.check(self._front):
            self._front += 1
        return self._front == len(self.members)

    def count(self) -> int:
        """Members known to pass so far (for the progress line)."""
        return self._front


class ContentWatch(_FrontWatch):
    """Which members kept a message that partially matches ``expected``.

    ``since``: only messages stamped at or after it count (the step's trigger).
    Members are checked in order with a moving front, so a wake-up per
    arrival costs little while most members are done (see :meth:`complete`).
    """

    def __init__(
        self, members: Sequence[MemberView], expected: Any, since: float | None = None
    ) -> None:
        self.members = members
        self.expected = expected
        self.since = float("-inf") if since is None else since
        self.done = [False] * len(members)
        self._cursors = [_Cursor() for _ in members]
        self._front = 0

    def check(self, position: int) -> bool:
        """Whether member ``position`` has a matching message (looks at new ones only)."""
        if self.done[position]:
            return True
        member = self.members[position]
        for at, data in self._cursors[position].fresh(member):
            if at < self.since:
                continue
            payload = _parsed(data)
            if payload is not _NOT_JSON and matches(self.expected, payload):
                self.done[position] = True
                return True
        return False

    def missing(self) -> list[int]:
        """Positions of the members without a match (after one last look at each)."""
        return [i for i in range(len(self.members)) if not self.check(i)]


class LatencyWatch(_FrontWatch):
    """Arrival of each publication (``sent``: mark → send stamp) at every member.

    ``key`` names the publication a parsed message delivers. ``arrivals[i]``
    maps mark → latency in seconds for member ``i``.
    """

    def __init__(
        self, members: Sequence[MemberView], sent: Mapping[str, float], key: DeliveryKey
    ) -> None:
        self.members = members
        self.sent = dict(sent)
        self.key = key
        self.arrivals: list[dict[str, float]] = [{} for _ in members]
        self._cursors = [_Cursor() for _ in members]
        self._front = 0

    def check(self, position: int) -> bool:
        """Whether every publication reached member ``position`` (looks at new messages)."""
        found = self.arrivals[position]
        if len(found) == len(self.sent):
            return True
        for at, data in self._cursors[position].fresh(self.members[position]):
            payload = _parsed(data)
            if payload is _NOT_JSON:
                continue
            mark = self.key(payload)
            if mark is not None and mark in self.sent and mark not in found:
                found[mark] = at - self.sent[mark]
        return len(found) == len(self.sent)

    def samples(self) -> tuple[list[float], int, int]:
        """``(latencies, lost, members_missing_some)`` after one last look at each member."""
        samples: list[float] = []
        lost = short = 0
        for position in range(len(self.members)):
            self.check(position)
            found = self.arrivals[position]
            samples.extend(found.values())
            if len(found) < len(self.sent):
                lost += len(self.sent) - len(found)
                short += 1
        return samples, lost, short


def mark_key(
    mark_path: str | None, text_path: str | None, by_text: Mapping[str, str]
) -> DeliveryKey:
    """A :data:`DeliveryKey` reading the mark at ``mark_path``, else the text at ``text_path``."""

    def key(payload: Any) -> str | None:
        if mark_path is not None:
            try:
                mark = select(payload, mark_path)
            except (PathNotFound, TypeError):
                return None
            return mark if isinstance(mark, str) else None
        if text_path is None:
            return None
        try:
            text = select(payload, text_path)
        except (PathNotFound, TypeError):
            return None
        return by_text.get(text) if isinstance(text, str) else None

    return key


def describe_member(member: MemberView, limit: int = 3) -> str:
    """``member #17 (still connected) received 4 messages; the latest kept: ...``."""
    state = member.problem() or "still connected"
    inbox = member.inbox or []
    text = f"member #{member.index} ({state}) received {member.received} messages"
    if not inbox:
        return text + " and kept none since its greeting"
    shown = [_show(data) for _, data in inbox[-limit:]]
    return text + f"; the latest {len(shown)} kept:\n    " + "\n    ".join(shown)


def _show(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
