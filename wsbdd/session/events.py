"""Named events (SSE events, Socket.IO events): receive one, receive none, check its id.

A transport that knows an event's name puts it in ``Message.meta["event"]``
(SSE: the ``event:`` field, ``"message"`` when the server sent none; Socket.IO:
the event name) and its id in ``Message.meta["id"]``. These checks match on that
name and, when a JSON value is given, on the payload (partial JSON match, as
every other receive step). "within T" is measured as for every receive step:
from the scenario's last trigger to the event's arrival stamp.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.matching import describe_expected, matches
from wsbdd.core.records import Message, now
from wsbdd.core.redaction import Redactor
from wsbdd.core.timing import format_duration
from wsbdd.runtime import Client, Clients
from wsbdd.session.receiving import Deadline, Receiver, Unseen

__all__ = ["EventChecks", "event_name", "events_seen"]


def event_name(message: Message) -> str | None:
    """The event name a transport gave this message (None for a plain WebSocket frame)."""
    value = message.meta.get("event")
    return None if value is None else str(value)


def events_seen(messages: Sequence[Message], limit: int = 8) -> str:
    """``price ×3, tick ×1`` — the event names among ``messages``, most frequent first."""
    counts = Counter(event_name(m) or "(no event name)" for m in messages)
    if not counts:
        return "none"
    shown = [f'"{name}" ×{count}' for name, count in counts.most_common(limit)]
    more = len(counts) - limit
    return ", ".join(shown) + (f", and {more} more names" if more > 0 else "")


class EventChecks:
    """The event phrases, on top of the :class:`Receiver`'s waits and failures."""

    def __init__(self, clients: Clients, receiver: Receiver, redactor: Redactor) -> None:
        self._clients = clients
        self._receiver = receiver
        self._redactor = redactor

    def receive(self, name: str, event: str, expected: Any | None, deadline: Deadline) -> Message:
        """The first unconsumed event named ``event`` (whose payload matches ``expected``)."""

        def accept(message: Message) -> bool:
            if event_name(message) != event:
                return False
            return expected is None or (message.is_json and matches(expected, message.payload))

        what = f'the event "{event}"'
        if expected is not None:
            what += f" with {describe_expected(expected)}"

        def explain(inbox: Sequence[Message]) -> list[str]:
            lines = [f"events received and not consumed: {events_seen(inbox)}"]
            named = [m for m in inbox if event_name(m) == event]
            if named and expected is not None:
                lines.append(
                    f'{len(named)} "{event}" events arrived, but none has a payload '
                    f"matching {describe_expected(expected)}"
                )
            return lines

        return self._receiver.receive_where(name, accept, what, deadline, expected, explain)

    def receive_none(self, name: str, event: str, duration: float) -> None:
        """No unconsumed event named ``event`` during ``duration`` (nor before it)."""
        unseen = Unseen()

        def probe(client: Client) -> Message | None:
            return next((m for m in unseen(client) if event_name(m) == event), None)

        start = now()
        found = self._clients.wait(name, probe, duration)
        if found is not None:
            raise ExpectationFailed(
                self._redactor.text(
                    f'client {name} expected no event "{event}" for {format_duration(duration)}, '
                    f"but received #{found.index} at "
                    f"+{format_duration(max(0.0, found.received_at - start))} after the step "
                    f"started: {found.display()}"
                ),
                client=name,
                closest=found,
            )

    def assert_last_id(self, name: str, message: Message, wanted: str) -> None:
        """``message`` (the client's last) carries the event id ``wanted``."""
        got = message.meta.get("id")
        if got is None or str(got) != wanted:
            has = "no event id" if got is None else f'event id "{got}"'
            event = event_name(message)
            shown = f' (event "{event}")' if event is not None else ""
            raise ExpectationFailed(
                self._redactor.text(
                    f'client {name}\'s last message has {has}, expected event id "{wanted}"\n'
                    f"  message #{message.index}{shown}: {message.display()}"
                ),
                client=name,
                closest=message,
            )
