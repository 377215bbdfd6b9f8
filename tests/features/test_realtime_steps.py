"""Feature-level tests of the real-time steps: server control, heartbeats, reading, memory."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from tests.features.harness import TOKENS, BehaveProject, server_env
from wsbdd.server.managed import ManagedServer


def embedded_project(tmp_path: Path, *server_args: str) -> BehaveProject:
    """A project whose environment starts its own reference server (so it can restart it)."""
    return BehaveProject(
        tmp_path / "project",
        {
            "WSBDD_SERVER": "embedded",
            "WSBDD_SERVER_ARGS": " ".join(server_args),
            "WSBDD_TIMEOUT": "2 s",
            "WSBDD_PROFILE": "chat",
            **TOKENS,
        },
    )


def test_the_embedded_server_restarts_stops_and_starts(tmp_path: Path) -> None:
    project = embedded_project(tmp_path)
    project.feature(
        """
        Feature: server control
          Scenario: restart
            Given client A is connected as alice
            And client A is subscribed to room:restart
            When the server restarts
            Then client A is closed by the server with code 1001 within 5 s
            When client A reconnects
            Then client A is connected
            When client A publishes "after the restart" to room:restart
            Then client A receives "after the restart" from alice in room:restart within 1 s

          Scenario: stop, then start
            Given client A is connected as alice
            When the server stops
            Then client A is closed with code 1001 and reason "going away" within 5 s
            When client B connects as bob
            Then client B's connection is refused
            When the server starts
            Then the server is running
            Given client C is connected as carol
            Then client C receives {"type": "welcome", "user": "carol"}
        """
    )
    run = project.run()
    assert run.passed, run.output
    assert "2 scenarios passed" in run.output


def test_server_control_of_an_unmanaged_server_is_an_error(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: server control
          Scenario: not ours
            When the server restarts
        """
    )
    run = project.run()
    assert "0 failed, 1 error" in run.output, run.output
    assert "cannot restart the server" in run.output
    assert "is not managed by wsbdd" in run.output
    assert "WSBDD_SERVER=embedded" in run.output


def test_a_refused_expectation_of_a_live_server_fails(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: refused
          Scenario: the server is up
            When client A connects as alice
            Then client A's connection is refused
        """
    )
    run = project.run()
    assert "client A's connection was expected to be refused, but it opened" in run.output


def test_heartbeats_close_a_client_that_stops_answering(project: BehaveProject) -> None:
    # The shared server pings every second and waits one second for the pong.
    project.feature(
        """
        Feature: heartbeats
          Scenario: answers, then stops
            Given client A is connected as alice
            Then client A receives a protocol ping within 3 s
            And client A stays open for 1.5 s
            When client A stops answering pings
            Then client A is closed by the server with code 1011 within 5 s

          Scenario: an idle client is pinged and kept
            Given client A is connected as alice
            When client A stays idle for 1.5 s
            Then client A receives a protocol ping within 2 s
            And client A is connected

          Scenario: a wrong expectation about the close
            Given client A is connected as alice
            Then client A is closed by the server within 1 s
        """
    )
    run = project.run()
    assert "2 scenarios passed, 1 failed" in run.output, run.output
    assert "client A did not get closed by the server within 1.00 s" in run.output
    assert "client A is still open" in run.output


def test_a_paused_reader_gets_everything_after_resuming(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: reading
          Scenario: pause and resume
            Given the API profile "chat"
            And clients A and B are connected as alice and bob
            And client A is subscribed to room:pause
            When client A stops reading
            And client B publishes 30 messages to room:pause
            And client A resumes reading
            Then client A receives all 30 messages from client B within 2 s
            And client A receives the messages from client B in the order they were published
        """
    )
    run = project.run()
    assert run.passed, run.output


def test_a_connection_cut_without_a_close_frame_is_detected(
    project: BehaveProject, tmp_path: Path
) -> None:
    with ManagedServer.embedded(["--bug", "silent_drop"]) as dropping:
        project.write_env("dropping", server_env(dropping, WSBDD_PROFILE="chat"))
        project.feature(
            """
            Feature: silent drops
              Scenario: the server cuts the TCP connection
                Given clients A and B are connected as alice and bob
                And client A is subscribed to room:cut
                When client B publishes 10 messages to room:cut
                Then client A is closed without a close frame within 5 s

              Scenario: a clean close is not a silent drop
                Given client A is connected as alice
                When client A closes with code 4000 and reason "bye"
                Then client A is closed without a close frame within 1 s
            """
        )
        run = project.run(env_name="dropping")
    assert "1 scenario passed, 1 failed" in run.output, run.output
    assert "client A was expected to be closed without a close frame" in run.output
    assert 'closed by the client with code 4000 "bye"' in run.output


def test_a_percentile_failure_shows_the_whole_distribution(project: BehaveProject) -> None:
    with ManagedServer.embedded(["--bug", "slow_push"]) as slow:
        project.write_env("slow", server_env(slow, WSBDD_PROFILE="chat"))
        project.feature(
            """
            Feature: latency
              Scenario: too slow
                Given clients A and B are connected as alice and bob
                And client A is subscribed to room:p95
                And client B is subscribed to room:p95
                When client A publishes 20 messages to room:p95 at 50 per second
                Then client B receives all 20 messages from client A within 5 s
                And the p95 delivery latency from client A to client B is below 200 ms
            """
        )
        run = project.run(env_name="slow")
    assert "0 scenarios passed, 1 failed" in run.output, run.output
    assert "delivery latency from client A to client B: p95 is" in run.output
    assert "expected p95 below 200 ms" in run.output
    assert "count=20 lost=0 p50=" in run.output and "p99=" in run.output and "max=" in run.output


def test_memory_and_metrics_of_the_managed_server(tmp_path: Path) -> None:
    project = embedded_project(tmp_path)
    project.feature(
        """
        Feature: memory
          Scenario: grows a little
            When I record the server's memory
            And 300 clients connect as carol and disconnect, 100 at a time
            Then the server's memory grew by less than 50 MB
            And the server metric "connections" is 0

          Scenario: a wrong metric value fails with the value
            Given client A is connected as alice
            Then the server metric "connections" is 7

          Scenario: an unknown metric lists the known ones
            Then the server metric "sockets" is 0

          Scenario: a memory limit that cannot hold
            When I record the server's memory
            And 300 clients connect as carol and disconnect, 100 at a time
            Then the server's memory grew by less than 0.000001 MB
        """
    )
    run = project.run()
    assert "1 scenario passed, 3 failed" in run.output, run.output
    assert 'the server metric "connections" is 1, expected 7' in run.output
    assert 'the server metrics have no "sockets" (they have: ' in run.output
    assert "the server's memory grew by" in run.output
    assert "expected less than 1e-06 MB" in run.output


def test_memory_through_the_metrics_url_of_an_unmanaged_server(
    project: BehaveProject, reference_server: ManagedServer
) -> None:
    project.write_env(
        "metrics",
        server_env(reference_server, WSBDD_METRICS_URL=f"{reference_server.http_url}/metrics"),
    )
    project.feature(
        """
        Feature: memory
          Scenario: from rss_bytes
            When I record the server's memory
            Then the server's memory grew by less than 50 MB
        """
    )
    run = project.run(env_name="metrics")
    assert run.passed, run.output


def test_a_server_started_by_a_command_is_health_checked_and_restarted(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port for the user's "own" server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    project = BehaveProject(
        tmp_path / "project",
        {
            "WSBDD_SERVER": f"{sys.executable} -m wsbdd.server --port {port}",
            "WSBDD_URL": f"ws://127.0.0.1:{port}/ws",
            "WSBDD_PROFILE": "chat",
            "WSBDD_TIMEOUT": "2 s",
            **TOKENS,
        },
    )
    project.feature(
        """
        Feature: a system under test started by a command
          Scenario: restart it
            Given the server is running
            And client A is connected as alice
            When the server restarts
            Then client A is closed by the server within 5 s
            When client A reconnects
            Then client A receives {"type": "welcome", "user": "alice"} within 1 s
        """
    )
    run = project.run()
    assert run.passed, run.output
    with socket.socket() as after:  # stopped after the run: nothing listens there any more
        after.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine
        after.bind(("127.0.0.1", port))
