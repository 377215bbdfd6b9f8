"""Feature-level tests of the core steps: behave in a subprocess, real reference server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.features.harness import TOKENS, BehaveProject
from wsbdd.server.managed import ManagedServer


def test_a_chat_exchange_passes(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: chat
          Scenario: hi
            Given clients A and B are connected as alice and bob
            When client A sends {"type": "subscribe", "channel": "room:t1"}
            And client B sends {"type": "subscribe", "channel": "room:t1"}
            Then client A receives {"type": "subscribed", "channel": "room:t1"}
            And client B receives {"type": "subscribed", "channel": "room:t1"}
            When client A sends {"type": "message", "channel": "room:t1", "text": "hi"}
            Then client B receives within 500 ms:
              \"\"\"
              {"type": "message", "from": "alice", "text": "hi", "seq": "{{integer}}"}
              \"\"\"
        """
    )
    run = project.run()
    assert run.passed, run.output
    assert "1 scenario passed, 0 failed" in run.output


def test_a_wrong_expectation_fails_with_the_closest_message_and_a_diff(
    project: BehaveProject,
) -> None:
    project.feature(
        """
        Feature: chat
          Scenario: wrong sender
            Given clients A and B are connected as alice and bob
            When client A sends {"type": "subscribe", "channel": "room:t2"}
            And client B sends {"type": "subscribe", "channel": "room:t2"}
            Then client B receives {"type": "subscribed"}
            When client B sends {"type": "message", "channel": "room:t2", "text": "hi"}
            Then client A receives {"type": "message", "from": "carol", "text": "hi"} within 300 ms
        """
    )
    run = project.run()
    assert not run.passed
    assert "0 scenarios passed, 1 failed" in run.output, run.output
    assert "client A did not receive" in run.output
    assert "closest message" in run.output
    assert '$.from: expected "carol", got "bob"' in run.output
    assert "ASSERT FAILED: client A did not receive" in run.output  # a failure, not an error


def test_within_is_measured_from_the_trigger_not_the_step(project: BehaveProject) -> None:
    # The pong arrives within milliseconds of the send; the receive step only
    # starts 600 ms later. It must still pass "within 200 ms".
    project.feature(
        """
        Feature: timing
          Scenario: late step, early message
            Given client A is connected as alice
            When client A sends {"type": "ping"}
            And client A stays open for 600 ms
            Then client A receives {"type": "pong"} within 200 ms
        """
    )
    run = project.run()
    assert run.passed, run.output


@pytest.fixture
def slow_server() -> Iterator[ManagedServer]:
    with ManagedServer.embedded(["--bug", "slow_push"]) as server:
        yield server


def test_a_late_message_fails_with_its_real_latency(
    project: BehaveProject, slow_server: ManagedServer
) -> None:
    project.write_env(
        "slow",
        {"WSBDD_SERVER": "none", "WSBDD_URL": slow_server.ws_url, **TOKENS},
    )
    project.feature(
        """
        Feature: timing
          Scenario: slow push
            Given clients A and B are connected as alice and bob
            When client A sends {"type": "subscribe", "channel": "room:t3"}
            And client B sends {"type": "subscribe", "channel": "room:t3"}
            Then client B receives {"type": "subscribed"} within 2 s
            When client A sends {"type": "message", "channel": "room:t3", "text": "hi"}
            And client A stays open for 800 ms
            Then client B receives {"type": "message", "text": "hi"} within 100 ms
        """
    )
    run = project.run(env_name="slow")
    assert not run.passed
    assert "too late" in run.output, run.output
    assert "after the last trigger (limit 100 ms)" in run.output


def test_an_unknown_variable_is_an_error_naming_it(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: variables
          Scenario: typo
            Given client A is connected as alice
            When client A sends {"type": "subscribe", "channel": "${romo}"}
        """
    )
    run = project.run()
    assert not run.passed
    assert "romo" in run.output
    assert "unknown variable" in run.output.lower()
    assert "0 failed, 1 error" in run.output, run.output


def test_close_codes_for_missing_and_bad_tokens(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: auth
          Scenario: no token
            When client A connects with no token
            Then client A is closed with code 4401 and reason "unauthorized" within 2 s
          Scenario: bad token
            When client A connects with token "nope-nope"
            Then client A is closed with code 4403 within 2 s
          Scenario: wrong expectation on the code
            When client A connects with no token
            Then client A is closed with code 4403 within 2 s
        """
    )
    run = project.run()
    assert "2 scenarios passed, 1 failed" in run.output, run.output
    assert 'closed by the server with code 4401 "unauthorized"' in run.output
    # Each fact once: the expected code, then how it really closed.
    assert (
        "client A was expected to be closed with code 4403, but it was closed by the server "
        'with code 4401 "unauthorized"\n'
    ) in run.output, run.output


def test_http_trigger_then_in_order_and_schema(project: BehaveProject) -> None:
    project.file(
        "features/schemas/created.json",
        """
        {"type": "object", "required": ["id", "qty"], "properties": {"qty": {"type": "integer"}}}
        """,
    )
    project.feature(
        """
        Feature: orders
          Scenario: order
            Given client A is connected as alice
            When client A sends {"type": "subscribe", "channel": "orders.user-alice"}
            Then client A receives {"type": "subscribed"}
            When I send a POST request to "/orders" as alice with:
              \"\"\"
              {"item": "book", "qty": 2}
              \"\"\"
            Then the response status is 201
            When I save "$.id" from the response as "order_id"
            Then client A receives, in order, within 2 s:
              \"\"\"
              {"type": "order.created", "id": "${order_id}"}
              {"type": "order.paid", "id": "${order_id}"}
              \"\"\"
            And the last message of client A has "$.id" equal to "${order_id}"
        """
    )
    run = project.run()
    assert run.passed, run.output


def test_no_message_within_fails_on_an_unexpected_message(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: silence
          Scenario: quiet
            Given client A is connected as alice
            Then client A receives {"type": "welcome"}
            And client A receives no message within 300 ms
          Scenario: not quiet
            Given client A is connected as alice
            When client A sends {"type": "ping"}
            Then client A receives no message matching {"type": "pong"} within 500 ms
        """
    )
    run = project.run()
    assert "1 scenario passed, 1 failed" in run.output, run.output
    assert 'expected no message matching {"type": "pong"}' in run.output


def test_a_missing_environment_key_is_an_error_naming_file_and_key(
    project: BehaveProject,
) -> None:
    project.write_env("broken", {"WSBDD_SERVER": "none"})
    project.feature(
        """
        Feature: x
          Scenario: y
            Given client A connects
        """
    )
    run = project.run(env_name="broken")
    assert not run.passed
    assert "environments/broken.env: WSBDD_URL: is not set" in run.output, run.output


def test_in_order_and_any_order_read_without_a_within_clause(project: BehaveProject) -> None:
    doc = '      """\n'
    project.feature(
        "Feature: f\n  Scenario: s\n"
        "    Given client A is connected as alice\n"
        '    When client A sends {"type": "ping"}\n'
        "    Then client A receives, in order:\n" + doc + '      {"type": "welcome"}\n'
        '      {"type": "pong"}\n' + doc + '    When client A sends {"type": "ping"}\n'
        "    Then client A receives, in any order:\n" + doc + '      {"type": "pong"}\n' + doc
    )
    run = project.run()
    assert run.passed, run.output
