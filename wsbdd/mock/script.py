"""What a mock server says: its greeting, its answers and its latency (pure).

``answers {"type": "ping"} with {"type": "pong", "id": "${id}"}``: a received
JSON message that partially matches the request (the same matching as the
receive steps, matchers included) gets the reply, with ``${…}`` filled from
the request's fields first (``${id}``, ``${user.name}`` for nested ones), then
from the scenario's variables. Every rule that matches answers, in the order
the rules were given.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wsbdd.core.exceptions import UnknownVariable, UsageError
from wsbdd.core.matching import Variables, render_json
from wsbdd.core.matching.matchers import matches

__all__ = ["Answer", "Latency", "Script", "request_fields"]


def request_fields(payload: Any, prefix: str = "") -> dict[str, Any]:
    """A request's fields by name: ``{"a": {"b": 1}}`` gives ``a`` and ``a.b``."""
    found: dict[str, Any] = {}
    if isinstance(payload, dict):
        for key, value in payload.items():
            name = f"{prefix}{key}"
            found[name] = value
            found.update(request_fields(value, f"{name}."))
    return found


class _Lenient(Variables):
    """Variables where an unknown name is null: checks a reply template's JSON early."""

    def get(self, name: str) -> Any:
        try:
            return super().get(name)
        except UnknownVariable:
            return None


@dataclass(frozen=True, slots=True)
class Answer:
    """A reply template sent for every received message matching ``request``."""

    request: Any
    reply: str

    def render(self, payload: Any, variables: Variables) -> str:
        """The reply for ``payload``, as JSON text (raises UnknownVariable for a missing field)."""
        scope = Variables({**variables.scenario, **request_fields(payload)}, variables.environ)
        return json.dumps(render_json(self.reply, scope), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Latency:
    """Each connection waits this long before every frame the mock sends on it.

    With ``high`` above ``low`` each connection draws its own latency,
    uniformly between the two, when it opens.
    """

    low: float
    high: float

    def draw(self, rng: random.Random) -> float:
        return self.low if self.high <= self.low else rng.uniform(self.low, self.high)


@dataclass
class Script:
    """The scripted behaviour of one mock server."""

    greetings: list[str] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    latency: Latency | None = None

    def greet(self, value: Any) -> None:
        """``greets every client with {…}``: sent to each client when it connects."""
        self.greetings.append(json.dumps(value, ensure_ascii=False))

    def answer(self, request: Any, reply: str, variables: Mapping[str, Any]) -> None:
        """Add an answer rule; the reply template must be valid JSON once filled."""
        render_json(reply, _Lenient(dict(variables)))
        self.answers.append(Answer(request, reply))

    def set_latency(self, low: float, high: float | None = None) -> None:
        high = low if high is None else high
        if low < 0 or high < low:
            raise UsageError("a latency must be 0 or more, and a range must go up")
        self.latency = Latency(low, high)

    def replies(self, payload: Any, variables: Variables) -> list[str]:
        """The replies to one received message (none when it is not JSON or nothing matches).

        Raises :class:`~wsbdd.core.exceptions.UnknownVariable` when a reply names a
        field the request does not have.
        """
        return [
            answer.render(payload, variables)
            for answer in self.answers
            if matches(answer.request, payload)
        ]
