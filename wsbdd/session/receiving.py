"""Expectations over one client's messages: wait (bounded), match, consume, explain.

Every function here either returns what it found or raises
:class:`~wsbdd.core.exceptions.ExpectationFailed` with a message that names the
client, the expectation, how long it waited and what did arrive.

Timing rule: "within T" is measured from the scenario's most recent trigger
(the last send, publish or HTTP request of any client) to the message's
*arrival* stamp, not from the moment the step started.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from wsbdd.core.close_texts import close_as_wanted, describe_wanted_close, real_close
from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.matching import (
    Mismatch,
    WaitFailure,
    closest,
    describe_expected,
    match,
    matches,
    render_mismatches,
    render_wait_failure,
)
from wsbdd.core.records import CloseInfo, Message, now
from wsbdd.core.redaction import Redactor
from wsbdd.core.timing import format_duration
from wsbdd.runtime import Client, Clients

__all__ = ["CLOSEST_SEARCHED", "Deadline", "Receiver", "Unseen"]

T = TypeVar("T")

CLOSEST_SEARCHED = 2000
"""A failure shows the closest of the latest this-many unconsumed messages."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a wait ends, and the instant "within T" is measured from.

    ``limit`` is the T of "within T" (None when the step has no "within" and
    the default timeout applies, measured from the step's start).
    """

    origin: float
    until: float
    limit: float | None
    reference: str = "the step started"
    """What ``origin`` is, for failure texts: "+12 ms after the last trigger"."""

    @classmethod
    def within(cls, limit: float, trigger: float | None) -> Deadline:
        if trigger is None:
            start = now()
            return cls(start, start + limit, limit)
        return cls(trigger, trigger + limit, limit, "the last trigger")

    @classmethod
    def default(cls, timeout: float) -> Deadline:
        start = now()
        return cls(start, start + timeout, None)

    def remaining(self) -> float:
        return max(0.0, self.until - now())

    def describe(self) -> str:
        if self.limit is None:
            return f"within {format_duration(self.until - self.origin)}"
        if self.reference != "the last trigger":  # nothing was sent yet: from the step's start
            return f"within {format_duration(self.limit)}"
        return f"within {format_duration(self.limit)} of the last trigger"


class _GiveUp:
    """A wait that can no longer succeed (its client is closed)."""


_GIVE_UP = _GiveUp()


@dataclass(frozen=True, slots=True)
class _Late:
    message: Message
    latency: float


class Receiver:
    """Message and close expectations, on top of the client runtime."""

    def __init__(self, clients: Clients, redactor: Redactor) -> None:
        self._clients = clients
        self._redactor = redactor
        self.last_matched: dict[str, Message] = {}
        # Protocol pings already matched by a step, per connection: a reconnect
        # makes a new Client, whose pings are counted from zero again.
        self._pings_matched: dict[Client, int] = {}

    # -- helpers ----------------------------------------------------------

    def _fail(self, text: str, **fields: Any) -> ExpectationFailed:
        """The failure, its text redacted; ``fields`` are ExpectationFailed's structured ones."""
        return ExpectationFailed(self._redactor.text(text), **fields)

    def _wait(self, name: str, probe: Callable[[Client], T | None], deadline: Deadline) -> T | None:
        """Run ``probe`` until it finds something, the deadline passes, or nothing can come.

        A closed client that is reading has delivered everything it will ever
        receive: when the probe still finds nothing, the wait ends at once
        (the failure then shows the close) instead of running out the clock.
        """

        def bounded(client: Client) -> T | _GiveUp | None:
            found = probe(client)
            if found is None and client.close_info is not None and client.reading:
                return _GIVE_UP
            return found

        result = cast(
            "T | _GiveUp | None",
            self._clients.wait(name, bounded, deadline.remaining(), until=deadline.until),
        )
        return None if isinstance(result, _GiveUp) else result

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
        waited = now() - deadline.origin
        client = self._clients.view(name)
        shown = list(client.inbox) if messages is None else list(messages)
        if nearest is None and expected is not None:
            # The closest message is searched among the latest ones only: on a
            # flood, a search of every message would outlast the wait itself.
            nearest = closest(shown[-CLOSEST_SEARCHED:], expected)
        return self._fail(
            render_wait_failure(
                WaitFailure(
                    client=name,
                    expectation=f"{expectation} {deadline.describe()}",
                    waited=waited,
                    messages=shown,
                    expected=expected,
                    close=client.close_info,
                    origin=deadline.origin,
                    origin_label=deadline.reference,
                    extra=tuple(extra),
                    nearest=nearest,
                    closest_note=closest_note,
                )
            ),
            client=name,
            expected=expected,
            closest=nearest[0] if nearest else None,
            diff=nearest[1] if nearest else (),
        )

    def _consume(self, client: Client, message: Message) -> Message:
        """Consume ``message`` in a probe (on the loop thread)."""
        client.consume(message)
        self.last_matched[client.name] = message
        return message

    def _consume_found(self, name: str, message: Message) -> Message:
        """Consume ``message`` from the behave thread (the loop does it)."""
        self._clients.consume(name, [message])
        self.last_matched[name] = message
        return message

    def _wait_and_consume(
        self, name: str, probe: Callable[[Client], list[Message] | None], deadline: Deadline
    ) -> list[Message] | None:
        """:meth:`_wait` for the messages ``probe`` finds, then consume them all."""

        def take(client: Client) -> list[Message] | None:
            found = probe(client)
            for message in found or ():
                self._consume(client, message)
            return found

        return self._wait(name, take, deadline)

    def _check_latency(
        self, name: str, found: Message | _Late, deadline: Deadline, what: str, expected: Any
    ) -> Message:
        if isinstance(found, _Late):
            limit = deadline.limit or 0.0
            raise self._fail(
                f"client {name} received {what} too late: it arrived "
                f"{format_duration(found.latency)} after {deadline.reference} "
                f"(limit {format_duration(limit)})\n"
                f"  message #{found.message.index}: {found.message.display()}",
                client=name,
                expected=expected,
                closest=found.message,
            )
        return found

    # -- single messages --------------------------------------------------

    def receive(self, name: str, expected: Any, deadline: Deadline) -> Message:
        """The first unconsumed message matching ``expected`` (partial JSON match)."""
        return self.receive_where(
            name,
            lambda m: m.is_json and matches(expected, m.payload),
            describe_expected(expected),
            deadline,
            expected,
        )

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

        unseen = Unseen()

        def probe(client: Client) -> Message | _Late | None:
            for message in unseen(client):
                if accept(message):
                    latency = message.received_at - deadline.origin
                    self._consume(client, message)
                    if deadline.limit is not None and latency > deadline.limit:
                        return _Late(message, latency)
                    return message
            return None

        found = cast("Message | _Late | None", self._wait(name, probe, deadline))
        if found is None:
            extra = explain(list(self._clients.view(name).inbox)) if explain else ()
            raise self.failure(name, f"receive {what}", deadline, expected, extra)
        return self._check_latency(name, found, deadline, what, expected)

    def next_message(self, name: str, expected: Any, deadline: Deadline) -> Message:
        """The very next unconsumed message, which must match ``expected``."""

        def probe(client: Client) -> Message | None:
            return client.inbox[0] if client.inbox else None

        found = self._wait(name, probe, deadline)
        if found is None:
            raise self.failure(
                name, f"receive a next message like {describe_expected(expected)}", deadline
            )
        self._consume_found(name, found)
        if not found.is_json:
            raise self._fail(
                f"client {name}'s next message is not JSON: {found.display()}\n"
                f"  expected: {describe_expected(expected)}",
                client=name,
                expected=expected,
                closest=found,
            )
        mismatches = match(expected, found.payload)
        if mismatches:
            raise self._fail(
                f"client {name}'s next message does not match\n"
                f"  expected: {describe_expected(expected)}\n"
                f"  received: #{found.index} {found.display()}\n"
                f"{render_mismatches(mismatches)}",
                client=name,
                expected=expected,
                closest=found,
                diff=mismatches,
            )
        return found

    # -- several messages -------------------------------------------------

    def receive_in_order(self, name: str, expected: Sequence[Any], deadline: Deadline) -> None:
        """Each expected message arrives after the previous one (others may come between)."""

        unseen = Unseen()
        found_so_far: list[Message] = []

        def probe(client: Client) -> list[Message] | None:
            # The greedy search of _find_in_order, one new message at a time.
            for message in unseen(client):
                if len(found_so_far) == len(expected):
                    break
                wanted = expected[len(found_so_far)]
                if message.is_json and matches(wanted, message.payload):
                    found_so_far.append(message)
            return None if len(found_so_far) < len(expected) else found_so_far

        found = self._wait_and_consume(name, probe, deadline)
        if found is None:
            client = self._clients.view(name)
            partial = _find_in_order(client.inbox, expected)
            missing = expected[len(partial)]
            extra = [f"matched {len(partial)} of {len(expected)} in order"]
            note: str | None = None
            nearest: tuple[Message, list[Mismatch]] | None = None
            before = partial[-1].index if partial else -1
            earlier = [
                m
                for m in client.inbox
                if m.index < before and m.is_json and matches(missing, m.payload)
            ]
            if earlier:  # it did arrive, too early: say so where the closest message is shown
                nearest = (earlier[-1], [])
                note = (
                    f"it matches, but arrived before #{before}, the match of the value "
                    "expected before it: out of order"
                )
            raise self.failure(
                name,
                f"receive, in order, {len(expected)} messages (next missing: "
                f"{describe_expected(missing)})",
                deadline,
                missing,
                extra,
                closest_note=note,
                nearest=nearest,
            )
        self._check_all_in_time(name, found, deadline)

    def receive_any_order(self, name: str, expected: Sequence[Any], deadline: Deadline) -> None:
        """Every expected message arrives, in any order."""

        unseen = Unseen()
        seen: list[Message] = []
        candidates: list[list[int]] = [[] for _ in expected]

        def probe(client: Client) -> list[Message] | None:
            # The candidate lists of _assign_any_order, grown one new message
            # at a time: the same lists give the same assignment.
            added = False
            for message in unseen(client):
                seen.append(message)
                if not message.is_json:
                    continue
                for candidate, wanted in zip(candidates, expected, strict=True):
                    if matches(wanted, message.payload):
                        candidate.append(len(seen) - 1)
                        added = True
            if (expected and not added) or any(not candidate for candidate in candidates):
                return None  # nothing new to assign, or some value has no candidate yet
            owner = _assign(candidates)
            if len(owner) < len(expected):
                return None
            found: list[Message | None] = [None] * len(expected)
            for i, e in owner.items():
                found[e] = seen[i]
            return [m for m in found if m is not None]

        found = self._wait_and_consume(name, probe, deadline)
        if found is None:
            client = self._clients.view(name)
            assigned = _assign_any_order(client.inbox, expected)
            missing = [e for e, m in zip(expected, assigned, strict=True) if m is None]
            raise self.failure(
                name,
                f"receive, in any order, {len(expected)} messages "
                f"({len(missing)} missing: {'; '.join(describe_expected(e) for e in missing)})",
                deadline,
                missing[0],
            )
        self._check_all_in_time(name, found, deadline)

    def receive_count(self, name: str, count: int, expected: Any, deadline: Deadline) -> None:
        """At least ``count`` unconsumed messages match ``expected``; consumes ``count``."""

        def matching(messages: Sequence[Message]) -> list[Message]:
            return [m for m in messages if m.is_json and matches(expected, m.payload)]

        unseen = Unseen()
        found_so_far: list[Message] = []

        def probe(client: Client) -> list[Message] | None:
            found_so_far.extend(matching(unseen(client)))
            return None if len(found_so_far) < count else found_so_far[:count]

        found = self._wait_and_consume(name, probe, deadline)
        if found is None:
            got = len(matching(self._clients.view(name).inbox))
            raise self.failure(
                name,
                f"receive {count} messages matching {describe_expected(expected)} (got {got})",
                deadline,
                expected,
            )
        self._check_all_in_time(name, found, deadline)

    def _check_all_in_time(self, name: str, found: Sequence[Message], deadline: Deadline) -> None:
        if deadline.limit is None:
            return
        late = [m for m in found if m.received_at - deadline.origin > deadline.limit]
        if late:
            worst = max(late, key=lambda m: m.received_at)
            raise self._fail(
                f"client {name}: {len(late)} of {len(found)} messages arrived too late; the "
                f"latest arrived {format_duration(worst.received_at - deadline.origin)} after "
                f"{deadline.reference} (limit {format_duration(deadline.limit)})\n"
                f"  message #{worst.index}: {worst.display()}"
            )

    def receive_none(self, name: str, expected: Any | None, duration: float) -> None:
        """No (matching) unconsumed message during ``duration`` (nor before it)."""

        def accept(message: Message) -> bool:
            if expected is None:
                return True
            return message.is_json and matches(expected, message.payload)

        # The first run sees the whole inbox ("nor before it"), later ones only
        # what arrived since.
        unseen = Unseen()

        def probe(client: Client) -> Message | None:
            return next((m for m in unseen(client) if accept(m)), None)

        start = now()
        found = self._clients.wait(name, probe, duration)
        if found is not None:
            what = (
                "no message"
                if expected is None
                else f"no message matching {describe_expected(expected)}"
            )
            raise self._fail(
                f"client {name} expected {what} for {format_duration(duration)}, but received "
                f"#{found.index} at +{format_duration(max(0.0, found.received_at - start))} "
                f"after the step started: "
                f"{found.display()}"
            )

    # -- protocol pings and pongs ---------------------------------------------

    def protocol_ping(self, name: str, deadline: Deadline) -> float:
        """The arrival time of the next protocol ping no step has matched yet."""

        def probe(client: Client) -> float | None:
            seen = self._pings_matched.get(client, 0)
            if len(client.pings) <= seen:
                return None
            self._pings_matched[client] = seen + 1
            return client.pings[seen]

        at = self._wait(name, probe, deadline)
        if at is None:
            client = self._clients.view(name)
            state = client.close_info.describe() if client.close_info else "still open"
            raise self._fail(
                f"client {name} received no protocol ping {deadline.describe()} "
                f"({len(client.pings)} pings in all; client {state})"
            )
        return at

    def protocol_pong(self, name: str, sent: float, deadline: Deadline) -> float:
        """The arrival time of the first protocol pong at or after ``sent`` (the ping)."""

        def probe(client: Client) -> float | None:
            return next((at for at in client.pongs if at >= sent), None)

        at = self._wait(name, probe, deadline)
        if at is None:
            raise self._fail(
                f"client {name} received no protocol pong {deadline.describe()} "
                f"(ping sent {format_duration(now() - sent)} ago)"
            )
        if deadline.limit is not None and at - deadline.origin > deadline.limit:
            raise self._fail(
                f"client {name}'s protocol pong arrived {format_duration(at - sent)} after the "
                f"ping (limit {format_duration(deadline.limit)})"
            )
        return at

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

        def probe(client: Client) -> CloseInfo | None:
            return client.close_info

        if not self._clients.view(name).reading:
            # A client that stopped reading cannot see a close queued behind the
            # data it did not read: drain it (keeping every arrival stamp).
            self._clients.resume_reading(name)
        info = self._wait(name, probe, deadline)
        wanted = describe_wanted_close(code, reason, by_server, without_close_frame)
        if info is None:
            raise self.failure(
                name, f"get {wanted}", deadline, extra=[f"client {name} is still open"]
            )
        if not close_as_wanted(info, code, reason, by_server, without_close_frame):
            raise self._fail(
                f"client {name} was expected to be {wanted}, but it was {real_close(info, reason)}"
            )
        return info

    def stays_open(self, name: str, duration: float) -> None:
        """The client is still open after ``duration``."""

        def probe(client: Client) -> CloseInfo | None:
            return client.close_info

        start = now()
        info = self._clients.wait(name, probe, duration)
        if info is not None:
            raise self._fail(
                f"client {name} was expected to stay open for {format_duration(duration)}, "
                f"but after {format_duration(max(0.0, info.at - start))} it was {info.describe()}"
            )


    # -- by predicate (binary frames) -------------------------------------------

    def next_where(
        self,
        name: str,
        problem: Callable[[Message], str | None],
        what: str,
        deadline: Deadline,
    ) -> Message:
        """The very next unconsumed message; ``problem`` says why it is not ``what`` (or None)."""

        def probe(client: Client) -> Message | None:
            return client.inbox[0] if client.inbox else None

        found = self._wait(name, probe, deadline)
        if found is None:
            raise self.failure(name, f"receive a next message: {what}", deadline)
        self._consume_found(name, found)
        why = problem(found)
        if why is not None:
            raise self._fail(
                f"client {name}'s next message is not {what}\n"
                f"  received: #{found.index} {found.display()}\n  {why}",
                client=name,
                closest=found,
            )
        return found

    def receive_in_order_where(
        self,
        name: str,
        accepts: Sequence[Callable[[Message], bool]],
        whats: Sequence[str],
        deadline: Deadline,
        explain: Callable[[int, Sequence[Message]], Sequence[str]] | None = None,
    ) -> list[Message]:
        """Messages accepted by each predicate in turn, each after the previous one."""
        unseen = Unseen()
        found_so_far: list[Message] = []

        def probe(client: Client) -> list[Message] | None:
            for message in unseen(client):
                if len(found_so_far) == len(accepts):
                    break
                if accepts[len(found_so_far)](message):
                    found_so_far.append(message)
            return None if len(found_so_far) < len(accepts) else found_so_far

        found = self._wait_and_consume(name, probe, deadline)
        if found is None:
            done = len(found_so_far)
            inbox = list(self._clients.view(name).inbox)
            extra = [f"matched {done} of {len(accepts)} in order"]
            extra += explain(done, inbox) if explain else ()
            raise self.failure(
                name,
                f"receive, in order, {len(accepts)} messages (next missing: {whats[done]})",
                deadline,
                extra=extra,
            )
        self._check_all_in_time(name, found, deadline)
        return found


class Unseen:
    """The client's unconsumed messages that one wait has not looked at yet.

    A probe runs again after every change to the client; looking only at the
    messages that arrived since its last run keeps a wait over a flood of
    100,000 messages linear instead of rescanning the whole inbox each time.
    The inbox is in arrival order, so ``Message.index`` grows along it.
    """

    def __init__(self) -> None:
        self._last = -1

    def __call__(self, client: Client) -> list[Message]:
        inbox = client.inbox
        fresh = inbox[bisect.bisect_right(inbox, self._last, key=_index) :]
        if fresh:
            self._last = fresh[-1].index
        return fresh


def _index(message: Message) -> int:
    return message.index


def _find_in_order(inbox: Sequence[Message], expected: Sequence[Any]) -> list[Message]:
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


def _assign_any_order(inbox: Sequence[Message], expected: Sequence[Any]) -> list[Message | None]:
    """Match each expected value to a distinct message (augmenting paths, so it is exact)."""
    candidates = [
        [i for i, m in enumerate(inbox) if m.is_json and matches(wanted, m.payload)]
        for wanted in expected
    ]
    result: list[Message | None] = [None] * len(expected)
    for i, e in _assign(candidates).items():
        result[e] = inbox[i]
    return result


def _assign(candidates: Sequence[Sequence[int]]) -> dict[int, int]:
    """Expected value ``e`` may take any message in ``candidates[e]``: message → value.

    Augmenting paths, so as many values as possible get a distinct message.
    """
    owner: dict[int, int] = {}

    def assign(e: int, seen: set[int]) -> bool:
        for i in candidates[e]:
            if i in seen:
                continue
            seen.add(i)
            if i not in owner or assign(owner[i], seen):
                owner[i] = e
                return True
        return False

    for e in range(len(candidates)):
        assign(e, set())
    return owner
