"""Failure texts state each fact once, and every "after N ms" is the time really spent."""

from __future__ import annotations

import re
import socket

from tests.features.harness import BehaveProject
from wsbdd.core.records import ConnectOutcome, ConnectResult, HandshakeInfo
from wsbdd.session.connections import _describe_outcome


def _closed_port() -> int:
    """A loopback port nothing listens on (bound on port 0, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_cut_connection_is_described_once(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: close
          Scenario: cut, not closed
            Given client A is connected as alice
            When client A drops its connection
            Then client A is closed with code 1002 within 1 s
        """
    )
    run = project.run()
    assert (
        "ASSERT FAILED: client A was expected to be closed with code 1002, but it was cut "
        "without a close frame (code 1006)\n"
    ) in run.output, run.output
    assert run.output.count("1006") == 1, run.output


def test_an_in_order_failure_says_the_closest_match_came_too_early(
    project: BehaveProject,
) -> None:
    project.feature(
        '''
        Feature: order
          Scenario: welcome before pong
            Given client A is connected as alice
            When client A sends {"type": "ping"}
            Then client A receives, in order, within 300 ms:
              """
              {"type": "pong"}
              {"type": "welcome"}
              """
        '''
    )
    run = project.run()
    lines = run.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("closest message: #0 "))
    assert lines[start + 1] == (
        "  (it matches, but arrived before #1, the match of the value expected before it: "
        "out of order)"
    ), run.output
    assert "matches the expectation" not in run.output
    assert "matched 1 of 2 in order" in run.output
    assert "did arrive, but out of order" not in run.output  # said once, above


def test_the_server_is_not_running_says_how_long_it_waited(project: BehaveProject) -> None:
    port = _closed_port()
    project.write_env(
        "test",
        {
            "WSBDD_SERVER": "none",
            "WSBDD_URL": f"ws://127.0.0.1:{port}/ws",
            "WSBDD_TIMEOUT": "400 ms",
        },
    )
    project.feature(
        """
        Feature: health
          Scenario: down
            Then the server is running
        """
    )
    run = project.run()
    found = re.search(
        rf"the server is not running: GET http://127\.0\.0\.1:{port}/healthz got no healthy "
        r"answer in (\d+) ms \((\d+) tries; the last: ConnectError: .*\)",
        run.output,
    )
    assert found, run.output
    assert 400 <= int(found.group(1)) < 5000, found.group(0)
    assert int(found.group(2)) >= 2
    assert "failed after 0 ms" not in run.output
    assert "failed after" not in found.group(0)


def test_a_timed_out_handshake_is_a_timeout_not_a_status() -> None:
    # The 101 may arrive just before the connect timeout ends the opening: the
    # text is about the time, not the status.
    result = ConnectResult(
        ConnectOutcome.TIMED_OUT,
        HandshakeInfo(url="ws://127.0.0.1:1/ws", status=101),
        0.0021,
        "the connect timeout is 1.0 ms",
    )
    assert _describe_outcome(result) == (
        "handshake timed out after 2.1 ms (the connect timeout is 1.0 ms)"
    )
    rejected = ConnectResult(
        ConnectOutcome.REJECTED, HandshakeInfo(url="ws://x/ws", status=403), 0.01, "Forbidden"
    )
    assert _describe_outcome(rejected) == "handshake rejected with HTTP status 403 (Forbidden)"


def test_a_wrong_token_is_named_when_the_server_closes_for_it(project: BehaveProject) -> None:
    env = (project.root / "environments" / "test.env").read_text()
    project.file("environments/test.env", env.replace("alice-token", "not-alices-token"))
    project.feature(
        """
        Feature: token
          Scenario: wrong token
            # "connects": "is connected" would fail at once (it must stay open).
            Given client A connects as alice
            # Waiting for the close makes the send below fail every time (no race).
            Then client A is closed by the server within 1 s
            When client A sends {"type": "ping"}
        """
    )
    run = project.run()
    found = re.search(
        r"client A cannot send: it was closed by the server with code 4403.*", run.output
    )
    assert found, run.output
    assert found.group(0).endswith("(it connected as alice: is WSBDD_TOKEN_ALICE right?)")
    assert "not-alices-token" not in run.output
