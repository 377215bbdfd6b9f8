"""Expectations of one message: the first that matches, or the very next one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from wsbdd.core.deadlines import Deadline
from wsbdd.core.expectations.arrivals import late_one
from wsbdd.core.expectations.failures import wait_failure
from wsbdd.core.expectations.verdicts import (
    PENDING,
    Failed,
    Failure,
    GivesUpWhenClosed,
    Satisfied,
    Verdict,
    View,
)
from wsbdd.core.matching import describe_expected, match, matches, render_mismatches
from wsbdd.core.records import Message

__all__ = ["Next", "NextWhere", "Receive", "json_like"]


def json_like(expected: Any) -> Callable[[Message], bool]:
    """Whether a message is JSON that partially matches ``expected``."""
    return lambda m: m.is_json and matches(expected, m.payload)


class Receive(GivesUpWhenClosed[Message]):
    """The first unconsumed message that ``accept`` approves of; it is consumed.

    ``what`` describes it for failure texts; ``expected`` (a JSON value, if
    any) lets the failure show the closest message and a diff; ``explain``
    adds lines saying why the unconsumed messages did not do. A match that
    arrived after the deadline's limit is consumed and fails ("too late").
    """

    def __init__(
        self,
        name: str,
        accept: Callable[[Message], bool],
        what: str,
        deadline: Deadline,
        expected: Any = None,
        explain: Callable[[Sequence[Message]], Sequence[str]] | None = None,
    ) -> None:
        self.name, self.accept, self.what, self.deadline = name, accept, what, deadline
        self.expected, self.explain = expected, explain

    @classmethod
    def json(cls, name: str, expected: Any, deadline: Deadline) -> Receive:
        """The first message that partially matches the JSON value ``expected``."""
        return cls(name, json_like(expected), describe_expected(expected), deadline, expected)

    def on_messages(self, messages: Sequence[Message]) -> Verdict[Message]:
        """Satisfied by the first accepted message (failed if it came too late)."""
        for message in messages:
            if self.accept(message):
                if self.deadline.late(message.received_at):
                    failure = late_one(self.name, message, self.deadline, self.what, self.expected)
                    return Failed(failure, (message,))
                return Satisfied(message, (message,))
        return PENDING

    def on_deadline(self, view: View) -> Verdict[Message]:
        """Nothing accepted: show the closest message and the last ones."""
        extra = self.explain(list(view.inbox)) if self.explain else ()
        return Failed(
            wait_failure(
                self.name, f"receive {self.what}", self.deadline, view, self.expected, extra
            )
        )


class NextWhere(GivesUpWhenClosed[Message]):
    """The very next unconsumed message, consumed; ``problem`` says why it is not ``what``.

    ``problem`` answers None for a message that does.
    """

    def __init__(
        self,
        name: str,
        problem: Callable[[Message], str | None],
        what: str,
        deadline: Deadline,
    ) -> None:
        self.name, self.problem, self.what, self.deadline = name, problem, what, deadline

    def on_messages(self, messages: Sequence[Message]) -> Verdict[Message]:
        """Decided by the first message fed (the oldest unconsumed one)."""
        if not messages:
            return PENDING
        found = messages[0]
        why = self.problem(found)
        if why is None:
            return Satisfied(found, (found,))
        return Failed(
            Failure(
                f"client {self.name}'s next message is not {self.what}\n"
                f"  received: #{found.index} {found.display()}\n  {why}",
                client=self.name,
                closest=found,
            ),
            (found,),
        )

    def on_deadline(self, view: View) -> Verdict[Message]:
        """No message at all came."""
        return Failed(
            wait_failure(self.name, f"receive a next message: {self.what}", self.deadline, view)
        )


class Next(GivesUpWhenClosed[Message]):
    """The very next unconsumed message, consumed; it must match the JSON ``expected``."""

    def __init__(self, name: str, expected: Any, deadline: Deadline) -> None:
        self.name, self.expected, self.deadline = name, expected, deadline

    def on_messages(self, messages: Sequence[Message]) -> Verdict[Message]:
        """Decided by the first message fed (the oldest unconsumed one)."""
        if not messages:
            return PENDING
        found, name, expected = messages[0], self.name, self.expected
        if not found.is_json:
            return Failed(
                Failure(
                    f"client {name}'s next message is not JSON: {found.display()}\n"
                    f"  expected: {describe_expected(expected)}",
                    client=name,
                    expected=expected,
                    closest=found,
                ),
                (found,),
            )
        mismatches = match(expected, found.payload)
        if not mismatches:
            return Satisfied(found, (found,))
        return Failed(
            Failure(
                f"client {name}'s next message does not match\n"
                f"  expected: {describe_expected(expected)}\n"
                f"  received: #{found.index} {found.display()}\n"
                f"{render_mismatches(mismatches)}",
                client=name,
                expected=expected,
                closest=found,
                diff=tuple(mismatches),
            ),
            (found,),
        )

    def on_deadline(self, view: View) -> Verdict[Message]:
        """No message at all came."""
        return Failed(
            wait_failure(
                self.name,
                f"receive a next message like {describe_expected(self.expected)}",
                self.deadline,
                view,
            )
        )
