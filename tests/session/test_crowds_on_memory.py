"""The crowds area without a socket: crowd members on an in-memory network.

Named clients use the fake transport (:class:`FakeServer`); crowd members run
websockets' real client over :class:`tests.memory_network.MemoryNetwork`. One
chat (the chat profile's frames) serves both, so a named client's publication
reaches the crowd. Creating a socket once the run is up fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.memory_network import MemoryNetwork, MemoryPeer
from tests.session.test_session_on_fake import _session
from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.runtime.transports.fake import FakePeer, FakeServer
from wsbdd.session.roster import ConnectSpec
from wsbdd.session.scenario import ScenarioSession

USERS = {"alice-token": "alice", "carol-token": "carol"}


class CrowdChat:
    """A tiny chat: named clients on the fake transport, crowd members in memory."""

    def __init__(self) -> None:
        self.fake = FakeServer(on_open=self.welcome_named, on_message=self.from_named)
        self.network = MemoryNetwork(on_open=self.welcome_member, on_message=self.from_member)
        self.subscribers: dict[str, list[MemoryPeer]] = {}
        self.forbidden: set[int] = set()  # indexes (in connection order) refused a subscription
        self.seq = 0

    def welcome_named(self, peer: FakePeer) -> None:
        peer.push(json.dumps({"type": "welcome"}))

    def welcome_member(self, peer: MemoryPeer) -> None:
        peer.push(json.dumps({"type": "welcome"}))

    def from_member(self, peer: MemoryPeer, text: str) -> None:
        frame = json.loads(text)
        if frame.get("type") == "subscribe":
            channel = frame["channel"]
            if self.network.opened.index(peer) in self.forbidden:
                peer.push(json.dumps({"type": "error", "code": "forbidden", "channel": channel}))
                return
            self.subscribers.setdefault(channel, []).append(peer)
            peer.push(json.dumps({"type": "subscribed", "channel": channel}))

    def from_named(self, peer: FakePeer, data: str | bytes) -> None:
        frame = json.loads(data)
        if frame.get("type") != "message":
            return
        self.seq += 1
        token = parse_qs(urlsplit(peer.transport.request.url).query).get("token", [""])[0]
        self.broadcast(frame["channel"], {**frame, "from": USERS.get(token), "seq": self.seq})

    def broadcast(self, channel: str, frame: dict[str, object], skip: int = -1) -> None:
        for index, member in enumerate(self.subscribers.get(channel, [])):
            if index != skip:
                member.push(json.dumps(frame))


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ScenarioSession, CrowdChat]]:
    server = CrowdChat()
    for session in _session(monkeypatch, server.fake):
        server.network.install(session.run.clients.loop.loop)
        session.set_tokens([{"user": "carol", "token": "carol-token"}])
        session.use_profile("chat")
        yield session, server


def test_a_crowd_connects_as_an_identity_and_subscribes(
    chat: tuple[ScenarioSession, CrowdChat],
) -> None:
    session, server = chat
    report = session.crowds.connect(40, identity="carol", channel="room:lobby", concurrency=8)
    assert (report.attempted, report.failed) == (40, 0)
    assert len(server.network.peers) == 40
    assert {p.path for p in server.network.opened} == {"/ws?token=carol-token"}
    assert len(server.subscribers["room:lobby"]) == 40
    session.crowds.assert_connected(40, 1.0)


def test_members_refused_a_subscription_fail_the_step_with_how_many_and_why(
    chat: tuple[ScenarioSession, CrowdChat],
) -> None:
    session, server = chat
    server.forbidden = {3, 7}
    with pytest.raises(ExpectationFailed) as failed:
        session.crowds.connect(20, channel="room:lobby")
    text = str(failed.value)
    assert text.startswith("2 of 20 clients failed to connect and subscribe to room:lobby")
    assert "forbidden" in text


def test_a_named_clients_publication_reaches_every_member(
    chat: tuple[ScenarioSession, CrowdChat],
) -> None:
    session, _server = chat
    session.crowds.connect(25, channel="room:lobby")
    session.connections.connect("A", ConnectSpec(identity="alice"), require_open=True)
    session.channels.publish("A", "room:lobby", "hi")
    session.crowds.assert_each_receives_from(25, "hi", "alice", "room:lobby", 1.0)
    session.crowds.assert_latency("A", 25, 99, 1.0)


def test_a_member_that_missed_a_broadcast_is_counted_and_shown(
    chat: tuple[ScenarioSession, CrowdChat],
) -> None:
    session, server = chat
    session.crowds.connect(10, channel="room:lobby")
    a = {"type": "message", "channel": "room:lobby", "text": "a"}
    b = {"type": "message", "channel": "room:lobby", "text": "b"}
    loop = session.run.clients.loop
    loop.call(lambda: server.broadcast("room:lobby", a))
    loop.call(lambda: server.broadcast("room:lobby", b, skip=4))
    session.crowds.assert_each_received(10, 1, 0.5)  # counted after the greeting
    with pytest.raises(ExpectationFailed) as failed:
        session.crowds.assert_each_received(10, 2, 0.3)
    text = str(failed.value)
    assert text.startswith("1 of 10 clients received fewer than 2 messages")
    assert "e.g. member #4 received 1 and is still connected" in text


def test_connect_and_disconnect_cycles_close_every_connection(
    chat: tuple[ScenarioSession, CrowdChat],
) -> None:
    session, server = chat
    report = session.crowds.connect_and_disconnect(60, 10, identity="carol")
    assert (report.attempted, report.failed) == (60, 0)
    assert len(server.network.opened) == 60
    assert server.network.peers == []
