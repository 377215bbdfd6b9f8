"""Expectations over one client's messages, run on the loop: wait (bounded), match, consume.

Every method either returns what it found or raises
:class:`~wsbdd.core.exceptions.ExpectationFailed` with a message that names the
client, the expectation, how long it waited and what did arrive.

The deciding is done by the sans-I/O state machines of
:mod:`wsbdd.core.expectations`; this module only feeds them. A probe runs on
the loop thread after every change to the client: it feeds the machine the
messages that arrived since its last run (then the close, if any), and on a
verdict consumes the messages the machine used up, there on the loop. When
the deadline passes, one more trip to the loop feeds the machine the deadline
with the client as it is then. The inbox is never read or consumed from the
behave thread.

Timing rule: "within T" is measured from the scenario's most recent trigger
(the last send, publish or HTTP request of any client) to the message's
*arrival* stamp, not from the moment the step started.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.expectations import (
    CLOSEST_SEARCHED,
    AnyOrder,
    Closed,
    Count,
    Deadline,
    Expectation,
    Failed,
    Failure,
    InOrder,
    InOrderWhere,
    NewMessages,
    Next,
    NextWhere,
    NoneWithin,
    Pending,
    PingArrival,
    PongArrival,
    Receive,
    Satisfied,
    StaysOpen,
    Verdict,
    View,
    wait_failure,
)
from wsbdd.core.matching import Mismatch
from wsbdd.core.records import CloseInfo, Message, now
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import Client, Clients

__all__ = ["CLOSEST_SEARCHED", "Deadline", "Receiver", "Unseen"]

R = TypeVar("R")
T = TypeVar("T")


class Receiver:
    """Message and close expectations, on top of the client runtime."""

    def __init__(self, clients: Clients, redactor: Redactor) -> None:
        self._clients = clients
        self._redactor = redactor
        self.last_matched: dict[str, Message] = {}
        # Protocol pings already matched by a step, per connection: a reconnect
        # makes a new Client, whose pings are counted from zero again.
        self._pings_matched: dict[Client, int] = {}

    # -- the adapter: feed a machine on the loop ----------------------------------

    def _fail(self, failure: Failure) -> ExpectationFailed:
        """The exception for ``failure``, its text redacted."""
        return ExpectationFailed(
            self._redactor.text(failure.text),
            client=failure.client,
            expected=failure.expected,
            closest=failure.closest,
            diff=failure.diff,
        )

    def _on_loop(self, name: str, read: Callable[[Client], T]) -> T:
        """``read(client)`` run once on the loop thread (``read`` never answers None)."""
        return self._clients.wait(name, read, 0.0)  # type: ignore[return-value]

    def _settle(self, client: Client, verdict: Verdict[R]) -> Verdict[R]:
        """Consume what the verdict used up (on the loop); remember the last match."""
        if not isinstance(verdict, Pending):
            for message in verdict.consumed:
                client.consume(message)
                self.last_matched[client.name] = message
        return verdict

    def _run(
        self,
        name: str,
        machine: Expectation[R],
        timeout: float,
        until: float | None = None,
        feed: Callable[[Client], Verdict[R]] | None = None,
    ) -> R:
        """Feed ``machine`` on the loop until it decides; its result, or raise its failure.

        ``feed(client)`` replaces the feeding of new messages (pings, pongs).
        The wait lasts ``timeout`` seconds (or until the ``now()`` time
        ``until``); then the machine is fed the deadline.
        """
        unseen = NewMessages()

        def probe(client: Client) -> Verdict[R] | None:
            verdict = machine.on_messages(unseen(client.inbox)) if feed is None else feed(client)
            if isinstance(verdict, Pending) and client.close_info is not None:
                # A closed client that is reading has delivered all it ever will.
                verdict = machine.on_closed(_view(client), client.reading)
            return None if isinstance(verdict, Pending) else self._settle(client, verdict)

        found = self._clients.wait(name, probe, timeout, until=until)
        # The wait ended now: a trip to a busy loop (a flood) must not count as waiting.
        ended = now()
        verdict = found if found is not None else self._on_loop(
            name, lambda client: self._settle(client, machine.on_deadline(_view(client, ended)))
        )
        if isinstance(verdict, Satisfied):
            result: R = verdict.result
            return result
        if isinstance(verdict, Failed):
            raise self._fail(verdict.failure)
        raise AssertionError("an expectation answered pending at its deadline")

    def _until(self, name: str, machine: Expectation[R], deadline: Deadline) -> R:
        return self._run(name, machine, deadline.remaining(), deadline.until)

    def failure(
        self,
        name: str,
        expectation: str,
        deadline: Deadline,
        expected: Any = None,
        extra: Sequence[str] = (),
        messages: Sequence[Message] | None = None,
        closest_note: str | None = None,
        nearest: tuple[Message, list[Mismatch]] | None = None,
    ) -> ExpectationFailed:
        """The failure of a wait for client ``name`` that ended without its message.

        The client's unconsumed messages and close are read on the loop;
        ``messages`` replaces them as what is shown.
        """

        asked = now()

        def build(client: Client) -> Failure:
            return wait_failure(
                name,
                expectation,
                deadline,
                _view(client, asked),
                expected,
                extra,
                messages,
                closest_note,
                nearest,
            )

        return self._fail(self._on_loop(name, build))

    # -- single messages --------------------------------------------------

    def receive(self, name: str, expected: Any, deadline: Deadline) -> Message:
        """The first unconsumed message matching ``expected`` (partial JSON match)."""
        return self._until(name, Receive.json(name, expected, deadline), deadline)

    def receive_where(
        self,
        name: str,
        accept: Callable[[Message], bool],
        what: str,
        deadline: Deadline,
        expected: Any = None,
        explain: Callable[[Sequence[Message]], Sequence[str]] | None = None,
    ) -> Message:
        """The first unconsumed message that ``accept`` approves of; consumes it.

        ``what`` describes it for failure messages; ``expected`` (a JSON value,
        if any) lets the failure show the closest message and a diff;
        ``explain`` adds lines saying why the unconsumed messages did not do.
        """
        machine = Receive(name, accept, what, deadline, expected, explain)
        return self._until(name, machine, deadline)

    def next_message(self, name: str, expected: Any, deadline: Deadline) -> Message:
        """The very next unconsumed message, which must match ``expected``."""
        return self._until(name, Next(name, expected, deadline), deadline)

    def next_where(
        self,
        name: str,
        problem: Callable[[Message], str | None],
        what: str,
        deadline: Deadline,
    ) -> Message:
        """The very next unconsumed message; ``problem`` says why it is not ``what`` (or None)."""
        return self._until(name, NextWhere(name, problem, what, deadline), deadline)

    # -- several messages -------------------------------------------------

    def receive_in_order(self, name: str, expected: Sequence[Any], deadline: Deadline) -> None:
        """Each expected message arrives after the previous one (others may come between)."""
        self._until(name, InOrder(name, expected, deadline), deadline)

    def receive_any_order(self, name: str, expected: Sequence[Any], deadline: Deadline) -> None:
        """Every expected message arrives, in any order."""
        self._until(name, AnyOrder(name, expected, deadline), deadline)

    def receive_count(self, name: str, count: int, expected: Any, deadline: Deadline) -> None:
        """At least ``count`` unconsumed messages match ``expected``; consumes ``count``."""
        self._until(name, Count(name, count, expected, deadline), deadline)

    def receive_in_order_where(
        self,
        name: str,
        accepts: Sequence[Callable[[Message], bool]],
        whats: Sequence[str],
        deadline: Deadline,
        explain: Callable[[int, Sequence[Message]], Sequence[str]] | None = None,
    ) -> list[Message]:
        """Messages accepted by each predicate in turn, each after the previous one."""
        machine = InOrderWhere(name, accepts, whats, deadline, explain)
        return self._until(name, machine, deadline)

    def receive_none(self, name: str, expected: Any | None, duration: float) -> None:
        """No (matching) unconsumed message during ``duration`` (nor before it)."""
        self._run(name, NoneWithin(name, expected, duration, now()), duration)

    # -- protocol pings and pongs ---------------------------------------------

    def protocol_ping(self, name: str, deadline: Deadline) -> float:
        """The arrival time of the next protocol ping no step has matched yet."""
        machine = PingArrival(name, deadline)

        def feed(client: Client) -> Verdict[float]:
            matched = self._pings_matched.get(client, 0)
            verdict = machine.on_pings(client.pings, matched)
            if isinstance(verdict, Satisfied):
                self._pings_matched[client] = matched + 1
            return verdict

        return self._run(name, machine, deadline.remaining(), deadline.until, feed)

    def protocol_pong(self, name: str, sent: float, deadline: Deadline) -> float:
        """The arrival time of the first protocol pong at or after ``sent`` (the ping)."""
        machine = PongArrival(name, sent, deadline)

        def feed(client: Client) -> Verdict[float]:
            return machine.on_pongs(client.pongs)

        return self._run(name, machine, deadline.remaining(), deadline.until, feed)

    # -- closes -----------------------------------------------------------

    def closed(
        self,
        name: str,
        deadline: Deadline,
        *,
        code: int | None = None,
        reason: str | None = None,
        by_server: bool = False,
        without_close_frame: bool = False,
    ) -> CloseInfo:
        """The client gets closed (as described) before the deadline."""
        if not self._on_loop(name, lambda client: client.reading):
            # A client that stopped reading cannot see a close queued behind the
            # data it did not read: drain it (keeping every arrival stamp).
            self._clients.resume_reading(name)
        machine = Closed(
            name,
            deadline,
            code=code,
            reason=reason,
            by_server=by_server,
            without_close_frame=without_close_frame,
        )
        return self._until(name, machine, deadline)

    def stays_open(self, name: str, duration: float) -> None:
        """The client is still open after ``duration``."""
        self._run(name, StaysOpen(name, duration, now()), duration)


def _view(client: Client, at: float | None = None) -> View:
    """The client as the closing events of a machine see it (on the loop), at ``at`` or now."""
    return View(now() if at is None else at, client.inbox, client.close_info, client.pings)


class Unseen:
    """The client's unconsumed messages that one wait has not looked at yet.

    A probe runs again after every change to the client; looking only at the
    messages that arrived since its last run keeps a wait over a flood of
    100,000 messages linear instead of rescanning the whole inbox each time.
    """

    def __init__(self) -> None:
        self._new = NewMessages()

    def __call__(self, client: Client) -> list[Message]:
        """The messages of ``client.inbox`` that arrived since the last call."""
        return self._new(client.inbox)
