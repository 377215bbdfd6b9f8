# ruff: noqa: E501  (feature text is kept on one line per step, as testers write it)
"""Every mock-server phrase, run by behave on small features against a real client app.

The app (tests/mock/probe_app.py) reports what it saw on the wire back to the
mock, so each assertion below checks what really crossed the connection.
"""

from __future__ import annotations

import time
from pathlib import Path

import psutil

from tests.features.harness import BehaveProject
from tests.mock.conftest import PROBE

APP = f'When the app under test is started with "python {PROBE} ${{mock_url}}'


def test_greeting_answers_subprotocol_latency_and_sends(project: BehaveProject) -> None:
    project.feature(
        f"""
        Feature: mock
          Scenario: scripted replies reach the app
            Given a mock server at "/ws" with subprotocols "chat.v2"
            And the mock server greets every client with {{"type": "welcome"}}
            And the mock server answers {{"type": "ping", "id": "{{{{any}}}}"}} with {{"type": "pong", "id": "${{id}}"}}
            And the mock server has a latency of 300 ms
            {APP} --subprotocol chat.v2"
            Then the mock server has 1 connection within 5 s
            And the mock server receives {{"type": "hello", "client": "p1", "subprotocol": "chat.v2"}} within 2 s
            And the mock server receives {{"type": "echo", "got": {{"type": "welcome"}}}} within 2 s
            And the mock server receives {{"type": "echo", "got": {{"type": "pong", "id": 7}}}} within 2 s
            When the mock server sends {{"type": "message", "text": "hi"}} to every client
            Then the mock server receives {{"type": "echo", "got": {{"type": "message", "text": "hi"}}}} within 2 s
        """
    )
    run = project.run()
    assert run.passed, run.output


def test_latency_delays_what_the_mock_sends(project: BehaveProject) -> None:
    scenario = """
        Feature: mock
          Scenario: a slow mock
            Given a mock server
            And the mock server answers {{"type": "ping"}} with {{"type": "pong"}}
            {latency}
            {app}"
            Then the mock server receives {{"type": "echo", "got": {{"type": "pong"}}, "slow": true}} within 3 s
    """
    project.feature(scenario.format(latency="And the mock server has a latency of 400 ms", app=APP))
    slow = project.run()
    assert slow.passed, slow.output
    ranged = "And the mock server has a latency of 400 ms to 500 ms per connection"
    project.feature(scenario.format(latency=ranged, app=APP))
    assert project.run().passed
    # The control: without a latency the pong comes back fast, and the same check fails.
    project.feature(scenario.format(latency="", app=APP))
    fast = project.run()
    assert not fast.passed
    assert "the mock server did not receive" in fast.output, fast.output
    assert '"slow": false' in fast.output, fast.output


def test_close_drop_and_refusal_are_what_the_app_sees(project: BehaveProject) -> None:
    project.feature(
        f"""
        Feature: mock
          Scenario: disruptions
            Given a mock server
            {APP}"
            Then the mock server has 1 connection within 5 s
            When the mock server closes every connection with code 1012 "restarting"
            Then the mock server receives {{"type": "closed", "code": 1012, "reason": "restarting"}} within 3 s
            When the mock server drops every connection
            Then the mock server receives {{"type": "closed", "code": 1006}} within 3 s
            When the mock server refuses new connections with status 503 for 300 ms
            And the mock server drops every connection
            Then the mock server receives {{"type": "refused", "status": 503}} within 3 s
            And every client reconnects within 5 s
        """
    )
    run = project.run()
    assert run.passed, run.output


def test_clients_told_apart_by_a_header(project: BehaveProject) -> None:
    project.feature(
        f"""
        Feature: mock
          Scenario: by header
            Given a mock server
            And the mock server tells clients apart by the header "X-Device"
            {APP} --no-query --header X-Device=phone-1"
            Then the mock server has 1 connection within 5 s
            When the mock server drops every connection
            Then every client reconnects within 5 s

          Scenario: by field
            Given a mock server
            And the mock server tells clients apart by the field "client"
            {APP} --no-query"
            Then the mock server has 1 connection within 5 s
            And the mock server receives {{"type": "hello"}} within 2 s
            When the mock server drops every connection
            Then every client reconnects within 5 s

          Scenario: by query parameter, which this app does not send
            Given a mock server
            And the mock server tells clients apart by the query parameter "device"
            {APP} --no-query"
            Then the mock server has 1 connection within 5 s
            When the mock server drops every connection
            Then every client reconnects within 5 s
        """
    )
    run = project.run()
    # by header and by field pass; the query parameter the app never sends is a clear error.
    assert "2 scenarios passed, 0 failed, 1 error" in run.output, run.output
    assert (
        "the mock server cannot tell clients apart: 1 connections carry none of the query "
        'parameter "device"' in run.output
    ), run.output


def test_an_app_that_never_connects_fails_with_what_the_mock_saw(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: mock
          Scenario: silent app
            Given a mock server
            When the app under test is started with "python -c 'import time; time.sleep(30)'"
            Then the mock server has 1 connection within 500 ms
        """
    )
    run = project.run()
    assert not run.passed
    assert "the mock server has 0 open connections, expected 1 within 500 ms" in run.output
    assert "saw 0 connection attempts" in run.output, run.output
    assert "Traceback" not in run.output


def test_a_missing_command_or_an_app_exiting_at_once_is_an_error(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: mock
          Scenario: missing
            Given a mock server
            When the app under test is started with "no-such-app-xyz ${mock_url}"

          Scenario: exits at once
            Given a mock server
            When the app under test is started with "python bad_app.py ${mock_url}"
        """
    )
    project.file("bad_app.py", "print('boom: bad config')\nraise SystemExit(3)\n")
    run = project.run()
    assert not run.passed
    assert 'the app under test cannot start: "no-such-app-xyz ws://127.0.0.1:' in run.output
    assert "exited with code 3; its output:" in run.output, run.output
    assert "boom: bad config" in run.output


def test_a_port_in_use_is_an_error_not_a_hang(project: BehaveProject) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        project.feature(
            f"""
            Feature: mock
              Scenario: port in use
                Given a mock server on port {port}
            """
        )
        run = project.run(timeout=30)
    assert not run.passed
    assert f"the mock server cannot listen on 127.0.0.1:{port}: the address is in use" in run.output


def test_teardown_stops_a_stubborn_app_and_its_children_and_closes_connections(
    project: BehaveProject, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    project.feature(
        f"""
        Feature: mock
          Scenario: left running
            Given a mock server
            {APP} --ignore-term --child --pid-file {pids}"
            Then the mock server has 1 connection within 5 s

          Scenario: the next scenario starts clean
            Given a mock server
            Then the mock server has 0 connections within 200 ms
        """
    )
    started = time.monotonic()
    run = project.run("-o", "-", "-f", "json", "-o", str(tmp_path / "run.json"), timeout=60)
    assert run.passed, run.output
    assert time.monotonic() - started < 30
    for pid in map(int, pids.read_text().split()):
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie", pid


def test_an_app_started_while_the_mock_refuses_is_judged_on_its_backoff(
    project: BehaveProject,
) -> None:
    backoff = PROBE.parents[2] / "examples" / "backoff_client.py"
    project.feature(
        f"""
        Feature: mock
          Scenario: the server is down when the app starts
            Given a mock server
            When the mock server refuses new connections with status 503 for 2 s
            And the app under test is started with "python {backoff} ${{mock_url}} --clients 3 --initial-delay 0.5 --min-delay 0.5 --factor 2"
            Then every client reconnects within 10 s
            And the reconnect delays of each client grow at least 1.5 times per attempt
        """
    )
    run = project.run()
    assert run.passed, run.output


def test_sending_to_every_client_with_none_connected_fails(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: mock
          Scenario: nobody there
            Given a mock server
            When the mock server sends {"type": "message"} to every client
        """
    )
    run = project.run()
    assert not run.passed
    assert 'the mock server has no open connection to send {"type": "message"} to' in run.output
    assert "saw 0 connection attempts" in run.output


def test_a_close_code_no_server_may_send_is_an_error(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: mock
          Scenario: 1006 is not sendable
            Given a mock server
            When the mock server closes every connection with code 1006
        """
    )
    run = project.run()
    assert not run.passed
    assert "1006 is not a close code a server may send (1000-1003, 1007-1014, or 3000-4999)" in (
        run.output
    )
