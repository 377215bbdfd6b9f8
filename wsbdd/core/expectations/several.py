"""Expectations of several messages: in order, in any order, a count of matches.

Each is satisfied once every message it needs has arrived; all of them are
then consumed, and the verdict fails instead if one came after the limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from wsbdd.core.deadlines import Deadline
from wsbdd.core.expectations.arrivals import all_in_time
from wsbdd.core.expectations.assignment import assign, assign_any_order, find_in_order
from wsbdd.core.expectations.failures import wait_failure
from wsbdd.core.expectations.verdicts import (
    PENDING,
    Failed,
    GivesUpWhenClosed,
    Satisfied,
    Verdict,
    View,
)
from wsbdd.core.matching import Mismatch, describe_expected, matches
from wsbdd.core.records import Message

__all__ = ["AnyOrder", "Count", "InOrder", "InOrderWhere"]


class InOrderWhere(GivesUpWhenClosed[list[Message]]):
    """Messages accepted by each predicate in turn, each after the previous one.

    Others may come between. ``whats`` describes each for the failure;
    ``explain(done, inbox)`` adds lines saying why the next one did not do.
    """

    def __init__(
        self,
        name: str,
        accepts: Sequence[Callable[[Message], bool]],
        whats: Sequence[str],
        deadline: Deadline,
        explain: Callable[[int, Sequence[Message]], Sequence[str]] | None = None,
    ) -> None:
        self.name, self.accepts, self.whats, self.deadline = name, accepts, whats, deadline
        self.explain = explain
        self.found: list[Message] = []

    def on_messages(self, messages: Sequence[Message]) -> Verdict[list[Message]]:
        """Greedy: each message goes to the first predicate not yet satisfied."""
        accepts, found = self.accepts, self.found
        for message in messages:
            if len(found) == len(accepts):
                break
            if accepts[len(found)](message):
                found.append(message)
        if len(found) < len(accepts):
            return PENDING
        verdict = all_in_time(self.name, found, self.deadline)
        return Satisfied(found, verdict.consumed) if isinstance(verdict, Satisfied) else verdict

    def on_deadline(self, view: View) -> Verdict[list[Message]]:
        """Say how many matched, in order, and which one is missing."""
        done = len(self.found)
        extra = [f"matched {done} of {len(self.accepts)} in order"]
        extra += self.explain(done, list(view.inbox)) if self.explain else ()
        return Failed(
            wait_failure(
                self.name,
                f"receive, in order, {len(self.accepts)} messages "
                f"(next missing: {self.whats[done]})",
                self.deadline,
                view,
                extra=extra,
            )
        )


class InOrder(GivesUpWhenClosed[None]):
    """Each expected JSON value arrives after the previous one (others may come between)."""

    def __init__(self, name: str, expected: Sequence[Any], deadline: Deadline) -> None:
        self.name, self.expected, self.deadline = name, expected, deadline
        self.found: list[Message] = []

    def on_messages(self, messages: Sequence[Message]) -> Verdict[None]:
        """The greedy search of :func:`find_in_order`, one new message at a time."""
        expected, found = self.expected, self.found
        for message in messages:
            if len(found) == len(expected):
                break
            wanted = expected[len(found)]
            if message.is_json and matches(wanted, message.payload):
                found.append(message)
        if len(found) < len(expected):
            return PENDING
        return all_in_time(self.name, found, self.deadline)

    def on_deadline(self, view: View) -> Verdict[None]:
        """The next missing value; if it did arrive, but too early, say so."""
        expected = self.expected
        partial = find_in_order(view.inbox, expected)
        missing = expected[len(partial)]
        extra = [f"matched {len(partial)} of {len(expected)} in order"]
        note: str | None = None
        nearest: tuple[Message, list[Mismatch]] | None = None
        before = partial[-1].index if partial else -1
        earlier = [
            m
            for m in view.inbox
            if m.index < before and m.is_json and matches(missing, m.payload)
        ]
        if earlier:  # it did arrive, too early: say so where the closest message is shown
            nearest = (earlier[-1], [])
            note = (
                f"it matches, but arrived before #{before}, the match of the value "
                "expected before it: out of order"
            )
        return Failed(
            wait_failure(
                self.name,
                f"receive, in order, {len(expected)} messages (next missing: "
                f"{describe_expected(missing)})",
                self.deadline,
                view,
                missing,
                extra,
                closest_note=note,
                nearest=nearest,
            )
        )


class AnyOrder(GivesUpWhenClosed[None]):
    """Every expected JSON value arrives, each in a distinct message, in any order."""

    def __init__(self, name: str, expected: Sequence[Any], deadline: Deadline) -> None:
        self.name, self.expected, self.deadline = name, expected, deadline
        self.seen: list[Message] = []
        self.candidates: list[list[int]] = [[] for _ in expected]

    def on_messages(self, messages: Sequence[Message]) -> Verdict[None]:
        """The candidate lists of :func:`assign_any_order`, grown one new message at a time.

        The same lists give the same assignment.
        """
        seen, candidates, expected = self.seen, self.candidates, self.expected
        added = False
        for message in messages:
            seen.append(message)
            if not message.is_json:
                continue
            for candidate, wanted in zip(candidates, expected, strict=True):
                if matches(wanted, message.payload):
                    candidate.append(len(seen) - 1)
                    added = True
        if (expected and not added) or any(not candidate for candidate in candidates):
            return PENDING  # nothing new to assign, or some value has no candidate yet
        owner = assign(candidates)
        if len(owner) < len(expected):
            return PENDING
        found: list[Message | None] = [None] * len(expected)
        for i, e in owner.items():
            found[e] = seen[i]
        return all_in_time(self.name, [m for m in found if m is not None], self.deadline)

    def on_deadline(self, view: View) -> Verdict[None]:
        """Name every value no distinct message answered."""
        expected = self.expected
        assigned = assign_any_order(view.inbox, expected)
        missing = [e for e, m in zip(expected, assigned, strict=True) if m is None]
        return Failed(
            wait_failure(
                self.name,
                f"receive, in any order, {len(expected)} messages "
                f"({len(missing)} missing: {'; '.join(describe_expected(e) for e in missing)})",
                self.deadline,
                view,
                missing[0],
            )
        )


class Count(GivesUpWhenClosed[None]):
    """At least ``count`` unconsumed messages match ``expected``; the first ``count`` are used."""

    def __init__(self, name: str, count: int, expected: Any, deadline: Deadline) -> None:
        self.name, self.count, self.expected, self.deadline = name, count, expected, deadline
        self.found: list[Message] = []

    def _matching(self, messages: Sequence[Message]) -> list[Message]:
        expected = self.expected
        return [m for m in messages if m.is_json and matches(expected, m.payload)]

    def on_messages(self, messages: Sequence[Message]) -> Verdict[None]:
        """Collect matches until there are ``count``."""
        self.found.extend(self._matching(messages))
        if len(self.found) < self.count:
            return PENDING
        return all_in_time(self.name, self.found[: self.count], self.deadline)

    def on_deadline(self, view: View) -> Verdict[None]:
        """Say how many matched."""
        got = len(self._matching(view.inbox))
        return Failed(
            wait_failure(
                self.name,
                f"receive {self.count} messages matching "
                f"{describe_expected(self.expected)} (got {got})",
                self.deadline,
                view,
                self.expected,
            )
        )
