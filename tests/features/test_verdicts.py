"""Honest verdicts: "connected" means the server kept the connection open.

A server that accepts the handshake and closes at once (a wrong token: 4403
right after the handshake) must fail the step that says the client is
connected, naming the close code and where the token came from; crowds
count such closes per member.
"""

from __future__ import annotations

from tests.features.harness import BehaveProject, server_env
from tests.features.test_channel_steps import outcomes, scenarios
from wsbdd.server.managed import ManagedServer


def test_a_connection_closed_right_after_the_handshake_is_not_connected(
    project: BehaveProject, reference_server: ManagedServer
) -> None:
    project.write_env("test", server_env(reference_server, WSBDD_TOKEN_ALICE="wrong-token"))
    project.feature(
        """
        Feature: connected means still open
          Scenario: a wrong token from the environment
            Given the API profile "chat"
            And client A is connected as alice

          Scenario: a wrong token from a table
            Given the tokens:
              | user  | token     |
              | dave  | not-valid |
            And client A is connected as dave

          Scenario: without a profile the settle time catches it
            Given client A is connected as alice

          Scenario: a right token is connected and the welcome is still there
            Given client B is connected as bob
            Then client B is connected
            And client B receives {"type": "welcome", "user": "bob"} within 1 s

          Scenario: a wrong token with the connect form is left for the close steps
            Given client A connects as alice
            Then client A is closed with code 4403 within 2 s
        """
    )
    run = project.run()
    blocks = outcomes(
        run,
        {
            "a wrong token from the environment": "failed",
            "a wrong token from a table": "failed",
            "without a profile the settle time catches it": "failed",
            "a right token is connected and the welcome is still there": "passed",
            "a wrong token with the connect form is left for the close steps": "passed",
        },
    )
    env_block = blocks["a wrong token from the environment"]
    assert (
        "client A connected as alice, but the connection did not stay open: "
        'closed by the server with code 4403 "forbidden"'
    ) in env_block, env_block
    assert "WSBDD_TOKEN_ALICE" in env_block, env_block
    assert "cannot send" not in env_block
    table_block = blocks["a wrong token from a table"]
    assert "code 4403" in table_block and '"Given the tokens:" table' in table_block
    failure = table_block[table_block.index("ASSERT FAILED") :]
    assert "not-valid" not in failure  # the token itself is never shown
    assert "code 4403" in blocks["without a profile the settle time catches it"]


def test_a_crowd_fails_when_the_server_closes_its_members(
    project: BehaveProject, reference_server: ManagedServer
) -> None:
    project.write_env("test", server_env(reference_server, WSBDD_TOKEN_CAROL="wrong-token"))
    project.feature(
        """
        Feature: crowds count the server's closes
          Scenario: a crowd with a wrong token
            Given 20 clients are connected as carol

          Scenario: a crowd without a token under the chat profile
            Given the API profile "chat"
            And 20 clients are connected

          Scenario: anonymous cycles against a server that wants a token
            When 40 clients connect and disconnect, 10 at a time

          Scenario: cycles with a wrong token
            When 40 clients connect as carol and disconnect, 10 at a time

          Scenario: cycles with a good token pass
            When 40 clients connect as bob and disconnect, 10 at a time
        """
    )
    run = project.run()
    blocks = outcomes(
        run,
        {
            "a crowd with a wrong token": "failed",
            "a crowd without a token under the chat profile": "failed",
            "anonymous cycles against a server that wants a token": "failed",
            "cycles with a wrong token": "failed",
            "cycles with a good token pass": "passed",
        },
    )
    assert (
        "20 of 20 clients failed to connect as carol: 20 × closed by the server with code 4403"
        in (blocks["a crowd with a wrong token"])
    ), blocks["a crowd with a wrong token"]
    assert (
        "20 of 20 clients failed to connect: 20 × closed by the server with code 4401"
        in (blocks["a crowd without a token under the chat profile"])
    )
    anonymous = blocks["anonymous cycles against a server that wants a token"]
    assert (
        "40 of 40 connect/disconnect cycles failed: 40 × closed by the server with code 4401"
        in (anonymous)
    ), anonymous
    assert "code 4403" in blocks["cycles with a wrong token"]
    assert set(scenarios(run))


def test_history_spans_a_clients_connections(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: history spans connections
          Background:
            Given the API profile "chat"

          Scenario: ordering and counts follow messages across a drop and a resume
            Given clients A and B are connected as alice and bob
            And client A is subscribed to room:history
            When client B publishes 3 messages to room:history
            Then client A receives all 3 messages from client B within 2 s
            When client A drops its connection
            And client B publishes 3 messages to room:history
            And client A reconnects and resumes
            Then client A receives the messages from client B in the order they were published
            And client A receives all 6 messages from client B within 3 s

          Scenario: what the earlier connection received can still be received
            Given client A is connected as alice
            When client A sends {"type": "ping"}
            And client A stays open for 300 ms
            And client A drops its connection
            And client A reconnects
            Then client A receives {"type": "pong"} within 1 s
            And the last message of client A has "$.type" equal to "pong"
            And client A receives {"type": "welcome", "user": "alice"} within 1 s
            And client A receives {"type": "welcome", "user": "alice"} within 1 s
        """
    )
    run = project.run()
    outcomes(
        run,
        {
            "ordering and counts follow messages across a drop and a resume": "passed",
            "what the earlier connection received can still be received": "passed",
        },
    )


def test_a_new_connection_is_confirmed_only_by_what_it_received(project: BehaveProject) -> None:
    # The first connection's welcome is still unconsumed: it must not confirm
    # the second connection, which the server closes with 4403.
    project.feature(
        """
        Feature: confirmation per connection
          Scenario: a wrong token on a reconnect
            Given the API profile "chat"
            And client A is connected as alice
            And the tokens:
              | user | token |
              | dave | nope  |
            When client A authenticates as dave
        """
    )
    run = project.run()
    blocks = outcomes(run, {"a wrong token on a reconnect": "failed"})
    block = blocks["a wrong token on a reconnect"]
    assert "client A connected as dave, but the connection did not stay open: " in block, block
    assert "code 4403" in block
