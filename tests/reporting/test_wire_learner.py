"""WireLearner learns what clients received; it asks the loop only when something arrived."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

from wsbdd.core.redaction import MASK, Redactor
from wsbdd.reporting.learning import WireLearner


class CountingClients:
    """The facade's two members the learner uses; counts the hops to the loop."""

    def __init__(self) -> None:
        self.changes = 0
        self.hops = 0
        self.received: list[Any] = []
        self._client = SimpleNamespace(received=self.received)

    def arrive(self, payload: Mapping[str, Any]) -> None:
        self.received.append(SimpleNamespace(is_json=True, payload=payload, data=str(payload)))
        self.changes += 1

    def wait_all(self, probe: Callable[[Mapping[str, Any]], Any], timeout: float) -> Any:
        self.hops += 1
        return probe({"A": self._client})


def _learner(clients: CountingClients) -> tuple[WireLearner, Redactor]:
    redactor = Redactor()
    session = SimpleNamespace(
        clients=clients,
        run=SimpleNamespace(redactor=redactor),
        variables=SimpleNamespace(scenario={}),
    )
    return WireLearner(session), redactor  # type: ignore[arg-type]


def test_a_step_after_which_nothing_arrived_does_not_ask_the_loop() -> None:
    clients = CountingClients()
    learner, redactor = _learner(clients)
    step = SimpleNamespace(name="client A sends a note")
    clients.arrive({"type": "welcome"})
    learner.after_step(step)
    learner.after_step(step)
    learner.after_step(step)
    assert clients.hops == 1  # only the first step had something new to read
    clients.arrive({"type": "login", "access_token": "issued-secret-1234"})
    learner.after_step(step)
    assert clients.hops == 2
    assert redactor.text("token issued-secret-1234") == f"token {MASK}"
    assert learner.received[0] == 2
