"""Feature-level tests of the crowd steps: behave in a subprocess, real reference server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.features.harness import TOKENS, BehaveProject, server_env
from wsbdd.server.managed import ManagedServer


def with_metrics(server: ManagedServer, timeout: str | None) -> dict[str, str]:
    """The `test` environment on ``server``, reading its /metrics endpoint."""
    return server_env(server, timeout, WSBDD_METRICS_URL=f"{server.http_url}/metrics")


def test_crowds_connect_subscribe_cycle_reconnect_and_leave_nothing_behind(
    project: BehaveProject, reference_server: ManagedServer
) -> None:
    project.write_env("test", with_metrics(reference_server, "2 s"))
    project.feature(
        """
        Feature: crowds
          Background:
            Given the API profile "chat"

          Scenario: a subscribed crowd survives a reconnect storm
            Given 200 clients are connected as carol and subscribed to room:f-crowd
            When the 200 clients reconnect at once
            Then all 200 clients are connected within 5 s

          Scenario: two crowds and cycles
            Given 100 clients are connected as carol, 50 at a time
            And 50 clients are connected as bob and subscribed to "room:f-quoted"
            When 300 clients connect as alice and disconnect, 100 at a time
            Then all 100 clients are connected within 5 s
            And all 50 clients are connected within 5 s

          Scenario: every crowd of the earlier scenarios was closed
            Then the server metric "connections" is 0
        """
    )
    run = project.run()
    assert run.passed, run.output
    assert "3 scenarios passed, 0 failed" in run.output


def test_disconnecting_every_crowd_frees_the_server(
    project: BehaveProject, reference_server: ManagedServer
) -> None:
    project.write_env("test", with_metrics(reference_server, None))
    # The hook "When all clients disconnect" is meant to call.
    project.file(
        "steps/crowd_hook.py",
        """
        from behave import step

        @step("every crowd disconnects")
        def every_crowd_disconnects(context):
            context.wsbdd.crowds.disconnect_all()
        """,
    )
    project.feature(
        """
        Feature: leaving
          Scenario: subscribers leave
            Given the API profile "chat"
            And 50 clients are connected as carol and subscribed to room:f-leave
            When every crowd disconnects
            Then the server metric "subscriptions" is 0
            And all 50 clients are connected within 5 s
        """
    )
    run = project.run()
    assert "0 scenarios passed, 1 failed" in run.output, run.output
    assert "And all 50 clients are connected within 5 s ... failed" in run.output
    assert (
        "only 0 of 50 clients are connected 5.00 s after the connect started: "
        "50 × closed by the client with code 1000" in run.output
    ), run.output


def test_crowd_failures_give_counts_and_reasons(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: crowd failures
          Background:
            Given the API profile "chat"

          Scenario: forbidden channel
            Given 30 clients are connected as carol and subscribed to user:alice:private

          Scenario: no such crowd
            Given 20 clients are connected as carol
            When the 70 clients reconnect at once
        """
    )
    run = project.run()
    assert "0 scenarios passed, 1 failed, 1 error" in run.output, run.output
    assert (
        "ASSERT FAILED: 30 of 30 clients failed to connect as carol and subscribe to "
        "user:alice:private: 30 × subscription to user:alice:private was rejected: "
        '{"type":"error","code":"forbidden"' in run.output
    ), run.output
    assert "this scenario has no crowd of 70 clients (it has: 20 clients as carol)" in run.output


@pytest.fixture
def fragile_server() -> Iterator[ManagedServer]:
    with ManagedServer.embedded(["--bug", "fragile_under_storm"]) as server:
        yield server


def test_a_reconnect_storm_fails_against_a_fragile_server(
    project: BehaveProject, fragile_server: ManagedServer
) -> None:
    project.write_env(
        "fragile", {"WSBDD_SERVER": "none", "WSBDD_URL": fragile_server.ws_url, **TOKENS}
    )
    project.feature(
        """
        Feature: storms
          Scenario: a reconnect storm
            Given 150 clients are connected as carol at 60 per second
            When the 150 clients reconnect at once
            Then all 150 clients are connected within 5 s

          Scenario: connect and disconnect in a storm
            When 300 clients connect as carol and disconnect, 150 at a time
        """
    )
    run = project.run(env_name="fragile")
    assert "0 scenarios passed, 2 failed" in run.output, run.output
    assert "ASSERT FAILED: only " in run.output
    assert "of 150 clients are connected 5.00 s after the reconnect started: " in run.output
    assert "× HTTP 503 Service Unavailable" in run.output
    assert "of 300 connect/disconnect cycles failed: " in run.output


def test_each_client_of_a_crowd_receives_the_broadcasts(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: crowd broadcast
          Scenario: everyone hears everything
            Given the API profile "chat"
            And 40 clients are connected as carol and subscribed to room:crowdcast
            And client A is connected as alice
            When client A publishes 5 messages to room:crowdcast
            Then each of the 40 clients receives 5 messages within 2 s

          Scenario: nobody hears a sixth
            Given the API profile "chat"
            And 30 clients are connected as carol and subscribed to room:crowdquiet
            And client A is connected as alice
            When client A publishes 5 messages to room:crowdquiet
            Then each of the 30 clients receives 6 messages within 500 ms
        """
    )
    run = project.run()
    assert "1 scenario passed, 1 failed" in run.output, run.output
    assert (
        "30 of 30 clients received fewer than 6 messages within 500 ms of the last trigger "
        "(30 × 5 received)"
    ) in run.output
