"""WireLearner learns what clients received from the loop's arrival feed, never hopping to it."""

from __future__ import annotations

import json
from collections import deque
from types import SimpleNamespace
from typing import Any

from wsbdd.core.records import Message
from wsbdd.core.redaction import MASK, Redactor
from wsbdd.reporting.learning import WireLearner
from wsbdd.runtime import Clients, ConnectRequest
from wsbdd.runtime.transports.fake import FakePeer, FakeServer


class FeedOnlyClients:
    """The facade's arrival feed; any hop to the loop fails the test."""

    def __init__(self) -> None:
        self.feed: deque[Message] = deque()

    def arrivals(self) -> deque[Message]:
        return self.feed

    def arrive(self, payload: Any) -> None:
        text = json.dumps(payload)
        self.feed.append(Message.parse("A", len(self.feed), text, 0.0, None))

    def wait_all(self, *args: Any) -> Any:
        raise AssertionError("the learner hopped to the loop")


def _learner(clients: Any) -> tuple[WireLearner, Redactor]:
    redactor = Redactor()
    session = SimpleNamespace(
        clients=clients,
        run=SimpleNamespace(redactor=redactor),
        variables=SimpleNamespace(scenario={}),
    )
    return WireLearner(session), redactor  # type: ignore[arg-type]


def test_the_learner_reads_the_arrival_feed_without_a_hop() -> None:
    clients = FeedOnlyClients()
    clients.arrive({"type": "left over from the scenario before"})
    learner, redactor = _learner(clients)
    step = SimpleNamespace(name="client A sends a note")
    clients.arrive({"type": "welcome"})
    learner.after_step(step)
    learner.after_step(step)
    clients.arrive({"type": "login", "access_token": "issued-secret-1234"})
    learner.after_step(step)
    assert redactor.text("token issued-secret-1234") == f"token {MASK}"
    assert learner.received[0] == 2  # this scenario's two, not the one before
    assert not clients.feed


def test_the_loop_feeds_every_message_a_client_receives() -> None:
    def greet(peer: FakePeer) -> None:
        peer.push(json.dumps({"type": "welcome", "session_token": "tok-987654321"}))

    with Clients(transports={"websocket": FakeServer(on_open=greet)}) as clients:
        feed = clients.arrivals()
        assert clients.arrivals() is feed  # one feed for the run
        clients.connect("A", ConnectRequest(url="ws://fake.invalid/"))
        clients.wait("A", lambda client: True if client.received else None, 1.0)
        assert [m.payload["type"] for m in feed] == ["welcome"]
