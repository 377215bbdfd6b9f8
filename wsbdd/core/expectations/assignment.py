"""Which messages answer which expected values: greedy in order, exact in any order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsbdd.core.matching import matches
from wsbdd.core.records import Message

__all__ = ["assign", "assign_any_order", "find_in_order"]


def find_in_order(inbox: Sequence[Message], expected: Sequence[Any]) -> list[Message]:
    """The greedy in-order matches: each expected value's first match after the previous one."""
    found: list[Message] = []
    position = 0
    for wanted in expected:
        for index in range(position, len(inbox)):
            message = inbox[index]
            if message.is_json and matches(wanted, message.payload):
                found.append(message)
                position = index + 1
                break
        else:
            break
    return found


def assign_any_order(inbox: Sequence[Message], expected: Sequence[Any]) -> list[Message | None]:
    """Match each expected value to a distinct message (augmenting paths, so it is exact)."""
    candidates = [
        [i for i, m in enumerate(inbox) if m.is_json and matches(wanted, m.payload)]
        for wanted in expected
    ]
    result: list[Message | None] = [None] * len(expected)
    for i, e in assign(candidates).items():
        result[e] = inbox[i]
    return result


def assign(candidates: Sequence[Sequence[int]]) -> dict[int, int]:
    """Expected value ``e`` may take any message in ``candidates[e]``: message → value.

    Augmenting paths, so as many values as possible get a distinct message.
    """
    owner: dict[int, int] = {}

    def extend(e: int, seen: set[int]) -> bool:
        for i in candidates[e]:
            if i in seen:
                continue
            seen.add(i)
            if i not in owner or extend(owner[i], seen):
                owner[i] = e
                return True
        return False

    for e in range(len(candidates)):
        extend(e, set())
    return owner
