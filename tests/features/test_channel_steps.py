"""Feature-level tests of the channel steps (through the API profile) on the reference server.

Each test runs behave once on a feature of several scenarios and checks every
scenario's outcome and, for failures, the failure text a tester would read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.features.harness import TOKENS, BehaveProject, BehaveRun
from wsbdd.server.managed import ManagedServer

_END = re.compile(r"^(Failing scenarios:|Errored scenarios:|\d+ features? passed)")


def scenarios(run: BehaveRun) -> dict[str, str]:
    """The output of each scenario (its steps and any traceback), by scenario name."""
    found: dict[str, str] = {}
    current: str | None = None
    for line in run.output.splitlines():
        if line.startswith("  Scenario"):
            current = line.split(":", 1)[1].strip()
            found[current] = ""
        elif _END.match(line):
            current = None
        elif current is not None:
            found[current] += line + "\n"
    return found


def verdict(block: str) -> str:
    """passed, failed (an expectation broke) or error (the suite is wrong)."""
    if re.search(r"\.\.\. error$", block, re.MULTILINE):
        return "error"
    if re.search(r"\.\.\. failed$", block, re.MULTILINE):
        return "failed"
    return "passed"


def outcomes(run: BehaveRun, expected: dict[str, str]) -> dict[str, str]:
    """Check every scenario's verdict; return the blocks for the text assertions."""
    blocks = scenarios(run)
    assert set(blocks) == set(expected), run.output
    for name, wanted in expected.items():
        assert verdict(blocks[name]) == wanted, f"{name}: expected {wanted}\n{run.output}"
    return blocks


def test_every_channel_step_passes_against_the_reference_server(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: channels through the chat profile
          Background:
            Given the API profile "chat"

          Scenario: subscribe, publish, receive, ping
            Given clients A and B are connected as alice and bob
            And client A is subscribed to room:p1
            And client B is subscribed to "room:p1"
            When client A publishes "hi" to room:p1
            Then client B receives "hi" from alice in room:p1 within 500 ms
            And client A receives "hi" from alice in room:p1
            When client A publishes 30 messages to room:p1 at 300 per second
            Then client B receives all 30 messages from client A within 2 s
            And client B receives the messages from client A in the order they were published
            And the p95 delivery latency from client A to client B is below 500 ms
            When client A sends a ping
            Then client A receives a pong within 200 ms

          Scenario: confirmed and rejected subscriptions
            Given client A is connected as alice
            When client A subscribes to user:alice:private
            Then client A's subscription to user:alice:private is confirmed
            When client A subscribes to user:bob:private
            Then client A's subscription to user:bob:private is rejected

          Scenario: unsubscribe stops deliveries
            Given clients A and B are connected as alice and bob
            And client A is subscribed to room:p2
            And client B is subscribed to room:p2
            When client B unsubscribes from room:p2
            And client A publishes "after" to room:p2
            Then client A receives "after" from alice in room:p2
            And client B receives no message matching {"type": "message"} within 300 ms

          Scenario: reconnect and resume replays what was missed
            Given clients A and B are connected as alice and bob
            And client B is subscribed to room:p3
            And client A is subscribed to room:p3
            When client A publishes "one" to room:p3
            Then client B receives "one" from alice in room:p3
            When client B drops its connection
            And client A publishes "two" to room:p3
            And client A publishes "three" to room:p3
            And client B reconnects and resumes
            Then client B receives "two" from alice in room:p3
            And client B receives "three" from alice in room:p3

          Scenario: resume before any delivery starts from the subscription's position
            Given clients A and B are connected as alice and bob
            And client B is subscribed to room:p5
            When client B drops its connection
            And client A publishes "missed" to room:p5
            And client B reconnects and resumes
            Then client B receives "missed" from alice in room:p5

          Scenario: reconnect subscribes again
            Given clients A and B are connected as alice and bob
            And client B is subscribed to room:p4
            When client B reconnects
            And client A publishes "back" to room:p4
            Then client B receives "back" from alice in room:p4

          Scenario: authenticates as reconnects with the identity in the query
            Given client A connects with no token
            Then client A is closed with code 4401
            When client A authenticates as bob
            Then client A receives {"type": "welcome", "user": "bob"}
            And client A is subscribed to user:bob:private
        """
    )
    run = project.run()
    outcomes(
        run,
        {
            "subscribe, publish, receive, ping": "passed",
            "confirmed and rejected subscriptions": "passed",
            "unsubscribe stops deliveries": "passed",
            "reconnect and resume replays what was missed": "passed",
            "resume before any delivery starts from the subscription's position": "passed",
            "reconnect subscribes again": "passed",
            "authenticates as reconnects with the identity in the query": "passed",
        },
    )
    assert run.passed, run.output


def test_a_profile_from_a_file_extends_a_builtin_and_puts_the_token_in_a_header(
    project: BehaveProject,
) -> None:
    project.file(
        "profiles/chat-header.toml",
        """
        extends = "chat"

        [auth]
        mode = "header"
        header = "Authorization"
        value = "Bearer ${token}"
        """,
    )
    project.write_env(
        "header",
        {**_env(project), "WSBDD_PROFILE": "profiles/chat-header.toml"},
    )
    project.feature(
        """
        Feature: header auth
          Scenario: the token travels in a header
            Given client A is connected as alice
            Then client A receives {"type": "welcome", "user": "alice"}
            When client A authenticates as bob
            Then client A receives {"type": "welcome", "user": "bob"}
            And client A is subscribed to user:bob:private
        """
    )
    run = project.run(env_name="header")
    assert run.passed, run.output
    assert "1 scenario passed" in run.output


def _env(project: BehaveProject) -> dict[str, str]:
    text = (project.root / "environments" / "test.env").read_text()
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_broken_channel_expectations_fail_with_what_arrived(project: BehaveProject) -> None:
    project.file(
        "profiles/odd.toml",
        """
        extends = "chat"

        [unsubscribe]
        send = { type = "unsubscribe", channel = "${channel}" }
        ack = { type = "gone", channel = "${channel}" }

        [ping]
        send = { type = "ping" }
        ack = { type = "pong", server = "odd" }
        """,
    )
    project.feature(
        """
        Feature: channel failures
          Background:
            Given the API profile "chat"

          Scenario: wrong sender
            Given clients A and B are connected as alice and bob
            And client A is subscribed to room:f1
            And client B is subscribed to room:f1
            When client A publishes "hi" to room:f1
            Then client B receives "hi" from carol in room:f1 within 300 ms

          Scenario: a forbidden channel is not confirmed
            Given client A is connected as alice
            And client A is subscribed to user:bob:private

          Scenario: an allowed channel is not rejected
            Given client A is connected as alice
            When client A subscribes to room:f2
            Then client A's subscription to room:f2 is rejected

          Scenario: messages that never arrive
            Given clients A and B are connected as alice and bob
            And client A is subscribed to room:f3
            When client A publishes 3 messages to room:f3
            Then client B receives all 3 messages from client A within 300 ms

          Scenario: order of messages that never arrive
            Given clients A and B are connected as alice and bob
            And client A is subscribed to room:f4
            When client A publishes 2 messages to room:f4
            Then client B receives the messages from client A in the order they were published

          Scenario: a pong unlike the profile's
            Given the API profile "profiles/odd.toml"
            And client A is connected as alice
            When client A sends a ping
            Then client A receives a pong within 300 ms

          Scenario: an unsubscribe never acknowledged
            Given the API profile "profiles/odd.toml"
            And client A is connected as alice
            And client A is subscribed to room:f5
            When client A unsubscribes from room:f5
        """
    )
    run = project.run()
    blocks = outcomes(
        run,
        {
            "wrong sender": "failed",
            "a forbidden channel is not confirmed": "failed",
            "an allowed channel is not rejected": "failed",
            "messages that never arrive": "failed",
            "order of messages that never arrive": "failed",
            "a pong unlike the profile's": "failed",
            "an unsubscribe never acknowledged": "failed",
        },
    )
    wrong = blocks["wrong sender"]
    assert (
        'client B did not receive {"type": "message", "channel": "room:f1", "text": "hi", '
        '"from": "carol"} within 300 ms of the last trigger'
    ) in wrong
    assert '$.from: expected "carol", got "alice"' in wrong

    forbidden = blocks["a forbidden channel is not confirmed"]
    assert (
        "client A's subscription to user:bob:private was rejected, expected it to be confirmed"
    ) in forbidden
    assert '"code": "forbidden"' in forbidden or '"code":"forbidden"' in forbidden

    allowed = blocks["an allowed channel is not rejected"]
    assert "client A's subscription to room:f2 was confirmed, expected it to be rejected" in allowed
    assert "subscribed" in allowed

    never = blocks["messages that never arrive"]
    assert (
        "client B received 0 of the 3 messages published by client A within 300 ms of the "
        "last trigger; missing: #1, #2, #3"
    ) in never

    order = blocks["order of messages that never arrive"]
    assert (
        "client B received only 0 of the 2 messages published by client A within 1.00 s, so "
        "their order cannot be checked; missing: #1, #2"
    ) in order

    pong = blocks["a pong unlike the profile's"]
    assert 'client A did not receive {"type": "pong", "server": "odd"} within 300 ms' in pong
    assert "closest message: #1 at +" in pong
    assert "$.server: missing key" in pong

    unsub = blocks["an unsubscribe never acknowledged"]
    assert (
        "client A did not see the unsubscription from room:f5 confirmed "
        '({"type": "gone", "channel": "room:f5"}) within 1.00 s'
    ) in unsub, unsub
    assert '$.type: expected "gone", got "unsubscribed"' in unsub


@pytest.fixture(scope="module")
def buggy_server() -> Iterator[ManagedServer]:
    """A reference server that reorders deliveries and ignores resume positions."""
    with ManagedServer.embedded(["--bug", "out_of_order", "--bug", "no_resume"]) as server:
        yield server


def test_the_channel_steps_catch_reordering_and_a_broken_resume(
    project: BehaveProject, buggy_server: ManagedServer
) -> None:
    project.write_env(
        "buggy",
        {
            "WSBDD_SERVER": "none",
            "WSBDD_URL": buggy_server.ws_url or "",
            "WSBDD_PROFILE": "chat",
            "WSBDD_TIMEOUT": "1 s",
            **TOKENS,
        },
    )
    project.feature(
        """
        Feature: bugs
          Scenario: out of order
            Given clients A and B are connected as alice and bob
            And client B is subscribed to room:b1
            When client A publishes 6 messages to room:b1
            Then client B receives all 6 messages from client A within 1 s
            And client B receives the messages from client A in the order they were published

          Scenario: resume replays nothing
            Given clients A and B are connected as alice and bob
            And client B is subscribed to room:b2
            When client A publishes "one" to room:b2
            Then client B receives "one" from alice in room:b2
            When client B drops its connection
            And client A publishes "two" to room:b2
            And client B reconnects and resumes
            Then client B receives "two" from alice in room:b2 within 500 ms
        """
    )
    run = project.run(env_name="buggy")
    blocks = outcomes(run, {"out of order": "failed", "resume replays nothing": "failed"})
    order = blocks["out of order"]
    assert "client B received the messages of client A out of order: #3" in order, order
    assert "order received: 1, 2, 4, 3" in order
    resume = blocks["resume replays nothing"]
    assert (
        'client B did not receive {"type": "message", "channel": "room:b2", "text": "two", '
        '"from": "alice"} within 500 ms'
    ) in resume


def test_a_channel_step_without_a_usable_profile_is_an_error_saying_what_to_add(
    project: BehaveProject,
) -> None:
    project.file(
        "profiles/no-ping.toml",
        """
        [subscribe]
        send = { type = "subscribe", channel = "${channel}" }

        [delivery]
        match = { type = "message", channel = "${channel}" }
        """,
    )
    project.file(
        "profiles/broken.toml",
        """
        [subscribe]
        send = "subscribe ${channel}"
        """,
    )
    project.feature(
        """
        Feature: profile errors
          Scenario: no profile at all
            Given client A is connected as alice
            When client A subscribes to room:e1

          Scenario: a profile without ping
            Given the API profile "profiles/no-ping.toml"
            And client A is connected as alice
            When client A sends a ping

          Scenario: a delivery without a text path
            Given the API profile "profiles/no-ping.toml"
            And client A is connected as alice
            Then client A receives "hi" from bob in room:e2

          Scenario: all of an unknown number
            Given the API profile "chat"
            And clients A and B are connected as alice and bob
            When client A publishes "x" to room:e3
            Then client B receives all 5 messages from client A within 1 s
        """
    )
    run = project.run()
    blocks = outcomes(
        run,
        {
            "no profile at all": "error",
            "a profile without ping": "error",
            "a delivery without a text path": "error",
            "all of an unknown number": "error",
        },
    )
    assert (
        "this step needs an API profile: add 'Given the API profile \"chat\"' or set "
        "WSBDD_PROFILE in the environment file"
    ) in blocks["no profile at all"]
    assert re.search(
        r"no-ping\.toml: ping: profile 'no-ping' does not define ping, which an application "
        r"ping needs: add a \[ping\] table",
        blocks["a profile without ping"],
    ), blocks["a profile without ping"]
    assert re.search(
        r"no-ping\.toml: delivery\.text: profile 'no-ping' does not define delivery\.text, "
        r"which checking a delivered text needs: add text to its \[delivery\] table",
        blocks["a delivery without a text path"],
    ), blocks["a delivery without a text path"]
    assert (
        "client A published only 1 messages in this scenario, fewer than 5"
        in (blocks["all of an unknown number"])
    )
    # A profile file with a mistake, or an unknown one, named by a step: the run
    # says so before the first scenario (wsbdd.preflight) and stops.
    project.feature(
        """
        Feature: profile mistakes
          Scenario: a profile file with a mistake
            Given the API profile "profiles/broken.toml"

          Scenario: an unknown profile
            Given the API profile "nope"
        """
    )
    run = project.run()
    assert run.returncode == 1, run.output
    assert re.search(
        r"features/test\.feature:3: .*broken\.toml: subscribe\.send: must be a table or a JSON "
        r"object/array in a string",
        run.output,
    ), run.output
    assert (
        "features/test.feature:6: unknown profile 'nope': use a built-in "
        "(chat, chat-sse, graphql-transport-ws, socketio-chat) or the path of a .toml file"
    ) in run.output.splitlines(), run.output
    assert "0 scenarios passed, 0 failed, 0 skipped" in run.output, run.output


def test_a_broken_profile_named_by_the_environment_stops_the_run_naming_file_and_key(
    project: BehaveProject,
) -> None:
    project.file(
        "profiles/typo.toml",
        """
        [subscribe]
        sned = { type = "subscribe" }
        """,
    )
    project.write_env("typo", {**_env(project), "WSBDD_PROFILE": "profiles/typo.toml"})
    project.feature(
        """
        Feature: typo
          Scenario: anything
            Given client A is connected as alice
        """
    )
    run = project.run(env_name="typo")
    assert not run.passed
    assert re.search(
        r"typo\.toml: subscribe\.sned: unknown key \(expected one of: ack, reject, send\)",
        run.output,
    ), run.output

    project.write_env("unknown", {**_env(project), "WSBDD_PROFILE": "nope"})
    run = project.run(env_name="unknown")
    assert not run.passed
    assert re.search(
        r"unknown\.env: WSBDD_PROFILE: unknown profile 'nope': use a built-in", run.output
    ), run.output
