"""The message and close expectations of a scenario, each with its deadline decided here.

Steps hand over what they parsed ("within T" or nothing); the deadline comes
from the scenario's timing policy (:mod:`wsbdd.core.deadlines`), and the
waiting, matching and explaining from :class:`~wsbdd.session.receiving.Receiver`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.matching import PathNotFound, Variables, select
from wsbdd.core.matching.matchers import match
from wsbdd.core.matching.render import describe_expected, render_mismatches
from wsbdd.core.records import CloseInfo, Message
from wsbdd.runtime import Client, Clients
from wsbdd.session.receiving import Receiver
from wsbdd.session.timing import ScenarioTiming

__all__ = ["Messages"]


class Messages:
    """Receive, next, in order, any order, count, none, closed, stays open, last message."""

    def __init__(
        self, clients: Clients, receiver: Receiver, timing: ScenarioTiming, variables: Variables
    ) -> None:
        self._clients = clients
        self._receiver = receiver
        self._timing = timing
        self._variables = variables

    # -- receiving ---------------------------------------------------------------

    def receive(self, name: str, expected: Any, within: float | None) -> Message:
        """A message matching ``expected`` (partial match) arrives; it is consumed."""
        return self._receiver.receive(name, expected, self._timing.message(within))

    def receive_text(self, name: str, text: str, within: float | None) -> Message:
        """A text frame equal to ``text`` arrives."""
        return self._receiver.receive_where(
            name,
            lambda m: m.kind == "text" and m.data == text,
            f'the text "{text}"',
            self._timing.message(within),
        )

    def receive_binary(self, name: str, within: float | None) -> Message:
        """A binary frame arrives."""
        return self._receiver.receive_where(
            name, lambda m: m.kind == "binary", "a binary message", self._timing.message(within)
        )

    def next_message(self, name: str, expected: Any) -> Message:
        """The very next unconsumed message matches ``expected``."""
        return self._receiver.next_message(name, expected, self._timing.message(None))

    def receive_in_order(self, name: str, expected: Sequence[Any], within: float | None) -> None:
        """Messages matching ``expected`` arrive in this relative order."""
        self._receiver.receive_in_order(name, expected, self._timing.message(within))

    def receive_any_order(self, name: str, expected: Sequence[Any], within: float | None) -> None:
        """A message matching each of ``expected`` arrives, in any order."""
        self._receiver.receive_any_order(name, expected, self._timing.message(within))

    def receive_count(self, name: str, count: int, expected: Any, within: float | None) -> None:
        """At least ``count`` messages matching ``expected`` arrive."""
        self._receiver.receive_count(name, count, expected, self._timing.message(within))

    def receive_none(self, name: str, expected: Any | None, duration: float) -> None:
        """No (matching) unconsumed message during ``duration`` (scaled), nor before it."""
        self._receiver.receive_none(name, expected, self._timing.scaled(duration))

    # -- closes ------------------------------------------------------------------

    def closed(
        self,
        name: str,
        within: float | None,
        *,
        code: int | None = None,
        reason: str | None = None,
        by_server: bool = False,
        without_close_frame: bool = False,
    ) -> CloseInfo:
        """The connection closes as described, within T (or the default timeout) from now."""
        return self._receiver.closed(
            name,
            self._timing.close(within),
            code=code,
            reason=reason,
            by_server=by_server,
            without_close_frame=without_close_frame,
        )

    def stays_open(self, name: str, duration: float) -> None:
        """The connection is still open after ``duration`` (scaled)."""
        self._receiver.stays_open(name, self._timing.scaled(duration))

    # -- protocol pings and pongs ------------------------------------------------

    def protocol_ping(self, name: str, within: float | None) -> float:
        """The next protocol ping the server sent that no step has matched yet."""
        return self._receiver.protocol_ping(name, self._timing.close(within))

    def protocol_pong(self, name: str, within: float | None) -> float:
        """The pong answering the client's last protocol ping, within T of that ping."""
        sent = self._clients.last_ping_sent(name)
        if sent is None:
            raise UsageError(
                f"client {name} has sent no protocol ping: "
                f'add "client {name} sends a protocol ping"'
            )
        return self._receiver.protocol_pong(name, sent, self._timing.pong(name, within))

    # -- the last message --------------------------------------------------------

    def last_message(self, name: str) -> Message:
        """The message the last receive step matched, else the latest received."""
        matched = self._receiver.last_matched.get(name)
        if matched is not None:
            return matched
        latest = self._clients.wait(name, _latest, 0.0)
        if latest is None:
            raise ExpectationFailed(f"client {name} has not received any message yet")
        return latest[0]

    def received(self, name: str) -> list[Message]:
        """Every message client ``name`` received so far (a copy, taken on the loop)."""
        return self._clients.wait(name, _all_received, 0.0) or []

    def assert_last_value(self, name: str, path: str, expected: Any) -> None:
        """The last message's value at ``path`` matches ``expected``."""
        message = self.last_message(name)
        value = self._select(message, path, name)
        mismatches = match(expected, value)
        if mismatches:
            raise ExpectationFailed(
                f"client {name}'s last message has {path} = {json.dumps(value)}, expected "
                f"{describe_expected(expected)}\n  message #{message.index}: {message.display()}\n"
                + render_mismatches(mismatches)
            )

    def save_from_message(self, name: str, path: str, variable: str) -> Any:
        """Store the last message's value at ``path`` as ``${variable}``."""
        message = self.last_message(name)
        value = self._select(message, path, name)
        self._variables.set(variable, value)
        return value

    def _select(self, message: Message, path: str, name: str) -> Any:
        if not message.is_json:
            raise ExpectationFailed(
                f"client {name}'s last message is not JSON: {message.display()}"
            )
        try:
            return select(message.payload, path)
        except PathNotFound as exc:
            raise ExpectationFailed(
                f"client {name}'s last message has no {path}: {exc}\n"
                f"  message #{message.index}: {message.display()}"
            ) from None


def _latest(client: Client) -> tuple[Message] | None:
    return (client.received[-1],) if client.received else None


def _all_received(client: Client) -> list[Message]:
    return list(client.received)
