"""JSON Schema checks on a client's messages (schemas under ``WSBDD_SCHEMAS``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.matching.schema import SchemaViolation, render_violations
from wsbdd.core.records import Message
from wsbdd.session.receiving import Deadline

if TYPE_CHECKING:
    from wsbdd.session.scenario import ScenarioSession

__all__ = ["SchemaChecks"]


class SchemaChecks:
    """Receive a schema-valid message; check the last or every message against a schema."""

    def __init__(self, session: ScenarioSession) -> None:
        self._session = session

    def problems(self, message: Message, schema: str) -> str | None:
        """None when valid; else a readable list of violations."""
        if not message.is_json:
            return f"not JSON: {message.display()}"
        return _render(self._session.run.schemas.violations(message.payload, schema))

    def receive(self, name: str, schema: str, deadline: Deadline) -> Message:
        store = self._session.run.schemas
        store.schema(schema)  # fail fast on a missing schema file
        return self._session.receiver.receive_where(
            name,
            lambda m: m.is_json and store.is_valid(m.payload, schema),
            f'a message matching schema "{schema}"',
            deadline,
            explain=lambda inbox: self._closest(inbox, schema),
        )

    def _closest(self, inbox: Sequence[Message], schema: str) -> list[str]:
        """The JSON message with the fewest violations of ``schema``, and its violations."""
        store = self._session.run.schemas
        scored = [(store.violations(m.payload, schema), m) for m in inbox if m.is_json]
        if not scored:
            return []
        violations, message = min(scored, key=lambda item: (len(item[0]), item[1].index))
        return [
            f"closest to the schema: #{message.index} {message.display(200)}",
            _render(violations) or "",
        ]

    def assert_last(self, name: str, schema: str) -> None:
        message = self._session.last_message(name)
        problems = self.problems(message, schema)
        if problems:
            raise ExpectationFailed(
                f'client {name}\'s last message does not match schema "{schema}"\n'
                f"  message #{message.index}: {message.display()}\n{problems}"
            )

    def assert_all(self, name: str, schema: str) -> None:
        client = self._session.client(name)
        failures = []
        for message in client.received:
            problems = self.problems(message, schema)
            if problems:
                failures.append(f"  #{message.index} {message.display()}\n{problems}")
        if failures:
            raise ExpectationFailed(
                f"client {name}: {len(failures)} of {len(client.received)} messages do not match "
                f'schema "{schema}"\n' + "\n".join(failures[:5])
            )
        if not client.received:
            raise ExpectationFailed(
                f"client {name} has received no message to check against {schema!r}"
            )


def _render(violations: list[SchemaViolation]) -> str | None:
    """The violations, indented under the message they belong to; None when there are none."""
    if not violations:
        return None
    return "\n".join(f"    {line}" for line in render_violations(violations).splitlines())
