"""The Socket.IO phrases in behave against both reference servers, and the failures they read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.features.harness import TOKENS, BehaveProject
from tests.features.test_channel_steps import outcomes
from tests.socketio.servers import RunningServer


@pytest.fixture
def project(tmp_path: Path, sio_server: RunningServer) -> BehaveProject:
    """A behave project whose `test` environment targets the Socket.IO server."""
    return BehaveProject(
        tmp_path / "project",
        {
            "WSBDD_SERVER": "none",
            "WSBDD_URL": sio_server.ws_url,
            "WSBDD_TIMEOUT": "1 s",
            "WSBDD_CONNECT_TIMEOUT": "2 s",
            **TOKENS,
        },
    )


def test_connect_emit_ack_and_receive_events(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: Socket.IO
          Scenario: a room
            Given client A is connected to "/chat" over Socket.IO as alice
            And client B is connected to "/chat" over Socket.IO as bob
            When client A emits "join" with {"room": "lobby"} and the ack is {"ok": true} within 1 s
            And client B emits "join" with {"room": "lobby"} and the ack is {"ok": true} within 1 s
            When client A emits "chat message" with {"room": "lobby", "text": "hi"}
            Then client B receives the event "chat message" with {"from": "alice"} within 500 ms
            And client A receives {"text": "hi", "from": "alice"} within 500 ms
            And client B receives no event "chat message" within 200 ms

          Scenario: several arguments, the main namespace, a token in the step
            Given client A connects to "/" over Socket.IO with token "carol-token"
            When client A emits "whoami" and the ack is {"user": "carol"} within 1 s
            And client A emits "pair"
            Then client A receives the event "pair" with ["left", {"right": 2}] within 1 s

          Scenario: pings are answered, never messages
            Given client A is connected to "/" over Socket.IO
            Then client A receives no message within 1 s
            And client A is connected

          Scenario: a server disconnect is a close by the server
            Given client A is connected to "/" over Socket.IO
            When client A emits "kick"
            Then client A is closed by the server within 1 s

          Scenario: a refusal is the event connect_error
            Given client A connects to "/chat" over Socket.IO as mallory
            Then client A receives the event "connect_error" with {"message": "invalid token"}

          Scenario: headers combine with the clause
            Given client A connects to "/chat" over Socket.IO with headers:
              | header        | value             |
              | Authorization | Bearer bob-token  |
            When client A emits "whoami" and the ack is {"user": "bob"} within 1 s
        """
    )
    run = project.run(extra_env={"WSBDD_TOKEN_MALLORY": "not-a-token"})
    outcomes(
        run,
        {
            "a room": "passed",
            "several arguments, the main namespace, a token in the step": "passed",
            "pings are answered, never messages": "passed",
            "a server disconnect is a close by the server": "passed",
            "a refusal is the event connect_error": "passed",
            "headers combine with the clause": "passed",
        },
    )


def test_the_failures_a_tester_reads(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: Socket.IO failures
          Scenario: refused namespace
            Given client A is connected to "/chat" over Socket.IO

          Scenario: wrong ack
            Given client A is connected to "/" over Socket.IO
            When client A emits "join" with {"room": "x"} and the ack is {"ok": false} within 1 s

          Scenario: no ack
            Given client A is connected to "/" over Socket.IO
            When client A emits "nobody" with {"a": 1} and the ack is {"ok": true} within 300 ms

          Scenario: emit after the server disconnected
            Given client A is connected to "/" over Socket.IO
            When client A emits "kick"
            Then client A is closed by the server within 1 s
            When client A emits "join" with {"room": "x"}
        """
    )
    run = project.run()
    blocks = outcomes(
        run,
        {
            "refused namespace": "failed",
            "wrong ack": "failed",
            "no ack": "failed",
            "emit after the server disconnected": "failed",
        },
    )
    refused = 'namespace "/chat" refused the connection: connect_error {"message": "unauthorized"}'
    assert refused in blocks["refused namespace"]
    wrong = blocks["wrong ack"]
    assert 'client A emitted "join" with {"room": "x"} and expected the ack {"ok": false}' in wrong
    assert '"ok": true' in wrong and "$.ok: expected false, got true" in wrong
    assert "but no ack arrived in 300 ms" in blocks["no ack"]
    assert 'client A cannot emit "join": its Socket.IO connection was closed by the server' in (
        blocks["emit after the server disconnected"]
    )


def test_the_profile_makes_channels_work_on_socketio(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: channels over Socket.IO
          Background:
            Given the API profile "socketio-chat"

          Scenario: subscribe with an ack, publish, deliver
            Given client A is connected to "/chat" as alice
            And client B is connected to "/chat" as bob
            And client B is subscribed to lobby
            When client A publishes "hello" to lobby
            Then client B receives "hello" from alice in lobby within 1 s
        """
    )
    run = project.run()
    outcomes(run, {"subscribe with an ack, publish, deliver": "passed"})


def test_a_wrong_engineio_path_in_the_environment_is_named(
    project: BehaveProject, sio_server: RunningServer
) -> None:
    project.feature(
        """
        Feature: path
          Scenario: wrong path
            Given client A is connected to "/" over Socket.IO
        """
    )
    run = project.run(extra_env={"WSBDD_SOCKETIO_PATH": "/sio/"})
    blocks = outcomes(run, {"wrong path": "failed"})
    assert 'at the Engine.IO path "/sio/"' in blocks["wrong path"]
