"""JSON Schema checks on a client's messages (schemas under ``WSBDD_SCHEMAS``)."""

from __future__ import annotations

from collections.abc import Sequence

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.matching.schema import SchemaStore, SchemaViolation, render_violations
from wsbdd.core.records import Message
from wsbdd.session.messages import Messages
from wsbdd.session.receiving import Receiver
from wsbdd.session.timing import ScenarioTiming

__all__ = ["SchemaChecks"]


class SchemaChecks:
    """Receive a schema-valid message; check the last or every message against a schema."""

    def __init__(
        self, store: SchemaStore, receiver: Receiver, messages: Messages, timing: ScenarioTiming
    ) -> None:
        self._store = store
        self._receiver = receiver
        self._messages = messages
        self._timing = timing

    def problems(self, message: Message, schema: str) -> str | None:
        """None when valid; else a readable list of violations."""
        if not message.is_json:
            return f"not JSON: {message.display()}"
        return _render(self._store.violations(message.payload, schema))

    def receive(self, name: str, schema: str, within: float | None) -> Message:
        """A message valid against ``schema`` arrives."""
        deadline = self._timing.message(within)
        store = self._store
        store.schema(schema)  # fail fast on a missing schema file
        return self._receiver.receive_where(
            name,
            lambda m: m.is_json and store.is_valid(m.payload, schema),
            f'a message matching schema "{schema}"',
            deadline,
            explain=lambda inbox: self._closest(inbox, schema),
        )

    def _closest(self, inbox: Sequence[Message], schema: str) -> list[str]:
        """The JSON message with the fewest violations of ``schema``, and its violations."""
        store = self._store
        scored = [(store.violations(m.payload, schema), m) for m in inbox if m.is_json]
        if not scored:
            return []
        violations, message = min(scored, key=lambda item: (len(item[0]), item[1].index))
        return [
            f"closest to the schema: #{message.index} {message.display(200)}",
            _render(violations) or "",
        ]

    def assert_last(self, name: str, schema: str) -> None:
        """The last matched (else latest) message is valid against ``schema``."""
        message = self._messages.last_message(name)
        problems = self.problems(message, schema)
        if problems:
            raise ExpectationFailed(
                f'client {name}\'s last message does not match schema "{schema}"\n'
                f"  message #{message.index}: {message.display()}\n{problems}"
            )

    def assert_all(self, name: str, schema: str) -> None:
        """Every message received so far is valid against ``schema``."""
        received = self._messages.received(name)
        failures = []
        for message in received:
            problems = self.problems(message, schema)
            if problems:
                failures.append(f"  #{message.index} {message.display()}\n{problems}")
        if failures:
            raise ExpectationFailed(
                f"client {name}: {len(failures)} of {len(received)} messages do not match "
                f'schema "{schema}"\n' + "\n".join(failures[:5])
            )
        if not received:
            raise ExpectationFailed(
                f"client {name} has received no message to check against {schema!r}"
            )


def _render(violations: list[SchemaViolation]) -> str | None:
    """The violations, indented under the message they belong to; None when there are none."""
    if not violations:
        return None
    return "\n".join(f"    {line}" for line in render_violations(violations).splitlines())
