"""Session areas on the fake transport: connections and messages, without a socket.

Each test builds a real :class:`ScenarioSession` whose clients connect to a
scripted :class:`FakeServer`; creating a socket once the run is up fails the test.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from wsbdd.config import Settings
from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.run import RunContext
from wsbdd.runtime import Clients
from wsbdd.runtime.http import HttpTrigger
from wsbdd.runtime.transports.fake import FakePeer, FakeServer
from wsbdd.session.roster import ConnectSpec
from wsbdd.session.scenario import ScenarioSession


class _NoSocket(socket.socket):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("a session test on the fake transport opened a socket")


def _echo(peer: FakePeer, data: str | bytes) -> None:
    if isinstance(data, str) and json.loads(data).get("type") == "ping":
        peer.push(json.dumps({"type": "pong"}))


def _session(
    monkeypatch: pytest.MonkeyPatch, server: FakeServer, http: HttpTrigger | None = None
) -> Iterator[ScenarioSession]:
    """A session on ``server`` (no socket may open); ``http`` stands in for the HTTP side."""
    settings = Settings(
        env_name="unit",
        env_file=None,
        values={},
        server_mode="none",
        ws_url="ws://fake.invalid/ws",
        http_url="http://fake.invalid",
        tokens={"alice": "alice-token", "bob": "bob-token"},
        timeout=1.0,
        timeout_scale=0.5,
    )
    run = RunContext(settings)
    run.clients = Clients(transports={"websocket": server})
    run.http = http or HttpTrigger(None, timeout=1.0)
    monkeypatch.setattr(socket, "socket", _NoSocket)
    session = ScenarioSession(run)
    try:
        yield session
    finally:
        session.close()
        monkeypatch.undo()
        run.clients.shutdown()
        run.http.close()


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ScenarioSession, FakeServer]]:
    server = FakeServer(on_message=_echo)
    for session in _session(monkeypatch, server):
        yield session, server


def test_a_connect_as_an_identity_carries_its_token_where_the_profile_says(
    echo: tuple[ScenarioSession, FakeServer],
) -> None:
    session, server = echo
    session.connections.connect("A", ConnectSpec(identity="alice"), require_open=True)
    assert server.requests[0].url == "ws://fake.invalid/ws?token=alice-token"
    assert session.roster.identity_of("A") == "alice"
    session.connections.assert_open("A")


def test_a_server_that_closes_right_after_the_handshake_fails_is_connected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = FakeServer(on_open=lambda peer: peer.close(4403, "forbidden"))
    for session in _session(monkeypatch, server):
        with pytest.raises(ExpectationFailed) as failed:
            session.connections.connect("A", ConnectSpec(identity="alice"), require_open=True)
        text = str(failed.value)
        assert "client A connected as alice, but the connection did not stay open" in text
        assert "4403" in text and "alice-token" not in text
        assert "WSBDD_TOKEN_ALICE" in text  # the roster names where the token came from


def test_a_sent_ping_is_answered_and_received_within_the_policy_deadline(
    echo: tuple[ScenarioSession, FakeServer],
) -> None:
    session, server = echo
    session.connections.connect("A", ConnectSpec(), require_open=False)
    session.actions.send_json("A", '{"type": "ping"}')
    message = session.messages.receive("A", {"type": "pong"}, within=1.0)
    assert message.payload == {"type": "pong"}
    assert server.peers[0].received == ['{"type": "ping"}']
    assert session.messages.last_message("A") is message


def test_a_missing_message_fails_naming_the_client_and_the_scaled_wait(
    echo: tuple[ScenarioSession, FakeServer],
) -> None:
    session, _server = echo
    session.connections.connect("A", ConnectSpec(), require_open=False)
    with pytest.raises(ExpectationFailed) as failed:
        session.messages.receive("A", {"type": "never"}, within=None)
    text = str(failed.value)
    assert "client A" in text and '"type": "never"' in text
    assert "500 ms" in text  # the default 1 s timeout, scaled by 0.5


def test_a_server_close_is_seen_by_the_close_expectation(
    echo: tuple[ScenarioSession, FakeServer],
) -> None:
    session, server = echo
    session.connections.connect("A", ConnectSpec(), require_open=False)
    server.peers[0].close(4001, "bye")
    info = session.messages.closed("A", 1.0, code=4001, reason="bye", by_server=True)
    assert (info.code, info.reason) == (4001, "bye")
    with pytest.raises(ExpectationFailed, match="4001"):
        session.messages.closed("A", 0.2, code=1000)


def test_is_connected_opens_and_settles_in_one_hop_to_the_loop(
    echo: tuple[ScenarioSession, FakeServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    session, _server = echo
    loop = session.run.clients.loop
    loop.start()
    hops: list[str] = []
    run = loop.run

    def counted(coro, timeout=None):  # type: ignore[no-untyped-def]
        hops.append(getattr(coro, "__qualname__", "?"))
        return run(coro, timeout)

    monkeypatch.setattr(loop, "run", counted)
    session.connections.connect("A", ConnectSpec(identity="alice"), require_open=True)
    assert len(hops) == 1, hops


def test_a_connect_that_raises_leaves_the_roster_as_it_was(
    echo: tuple[ScenarioSession, FakeServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    session, _server = echo
    session.connections.connect("A", ConnectSpec(identity="alice"), require_open=True)
    clients = session.run.clients

    def broken(*_args: object) -> None:
        raise RuntimeError("the loop is gone")

    monkeypatch.setattr(clients, "connect_and_wait", broken)
    with pytest.raises(RuntimeError):
        session.connections.connect("A", ConnectSpec(identity="bob"), require_open=True)
    with pytest.raises(RuntimeError):
        session.connections.connect("B", ConnectSpec(identity="bob"), require_open=True)
    assert session.roster.identity_of("A") == "alice"
    assert session.roster.enrolment("B") is None


def test_a_connection_redacts_with_the_runs_redactor(
    echo: tuple[ScenarioSession, FakeServer],
) -> None:
    # what the connection learns (a Set-Cookie value in its handshake) is then
    # hidden in the failure text and the report too, which use the run's redactor
    session, server = echo
    session.connections.connect("A", ConnectSpec(identity="alice"), require_open=True)
    assert server.requests[0].redactor is session.run.redactor
