"""The channels and deliveries areas on the fake transport, through the chat profile."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.session.test_session_on_fake import _session
from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.runtime.transports.fake import FakePeer, FakeServer
from wsbdd.session.roster import ConnectSpec
from wsbdd.session.scenario import ScenarioSession

USERS = {"alice-token": "alice", "bob-token": "bob"}


class ChatServer:
    """A tiny in-memory chat server speaking the chat profile's frames."""

    def __init__(self) -> None:
        self.subscribed: dict[int, set[str]] = {}
        self.seq = 0
        self.fake = FakeServer(on_open=self.welcome, on_message=self.handle)

    def welcome(self, peer: FakePeer) -> None:
        peer.push(json.dumps({"type": "welcome"}))

    def handle(self, peer: FakePeer, data: str | bytes) -> None:
        frame = json.loads(data)
        channel = frame.get("channel")
        if frame["type"] == "subscribe":
            if channel.startswith("private:"):
                peer.push(json.dumps({"type": "error", "code": "forbidden", "channel": channel}))
                return
            self.subscribed.setdefault(id(peer), set()).add(channel)
            peer.push(json.dumps({"type": "subscribed", "channel": channel}))
        elif frame["type"] == "message":
            self.seq += 1
            query = parse_qs(urlsplit(peer.transport.request.url).query)
            sender = USERS.get(query.get("token", [""])[0], "anonymous")
            out = {**frame, "from": sender, "seq": self.seq}
            for other in self.fake.peers:
                if other.open and channel in self.subscribed.get(id(other), set()):
                    other.push(json.dumps(out))


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScenarioSession]:
    server = ChatServer()
    for session in _session(monkeypatch, server.fake):
        session.set_tokens([{"user": "bob", "token": "bob-token"}])
        session.use_profile("chat")
        yield session


def _connect_and_subscribe(session: ScenarioSession) -> None:
    for name, identity in (("A", "alice"), ("B", "bob")):
        session.connections.connect(name, ConnectSpec(identity=identity), require_open=True)
        session.channels.subscribe(name, "room:lobby", confirm=True)


def test_a_publication_reaches_the_other_subscriber_from_its_sender(
    chat: ScenarioSession,
) -> None:
    _connect_and_subscribe(chat)
    chat.channels.publish("A", "room:lobby", "hi")
    message = chat.channels.receive_from("B", "hi", "alice", "room:lobby", 1.0)
    assert message.payload["text"] == "hi" and message.payload["mark"].endswith("-A-1")


def test_every_publication_arrives_in_order_and_is_counted(chat: ScenarioSession) -> None:
    _connect_and_subscribe(chat)
    chat.channels.publish_many("A", "room:lobby", 5, None)
    found = chat.deliveries.receive_all("B", "A", 5, 1.0)
    assert len(found) == 5
    chat.deliveries.in_published_order("B", "A")
    with pytest.raises(UsageError, match="published only 5 messages"):
        chat.deliveries.receive_all("B", "A", 6, 0.1)
    chat.connections.connect("C", ConnectSpec(), require_open=True)  # not subscribed
    with pytest.raises(ExpectationFailed, match="client C received 0 of the 5 messages"):
        chat.deliveries.receive_all("C", "A", 5, 0.1)


def test_a_refused_subscription_is_rejected_not_confirmed(chat: ScenarioSession) -> None:
    chat.connections.connect("A", ConnectSpec(identity="alice"), require_open=True)
    chat.channels.subscribe("A", "private:x", confirm=False)
    chat.channels.rejected("A", "private:x")
    chat.channels.subscribe("A", "private:y", confirm=False)
    with pytest.raises(ExpectationFailed, match="was rejected, expected it to be confirmed"):
        chat.channels.confirmed("A", "private:y")
