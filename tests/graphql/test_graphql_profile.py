"""The built-in graphql-transport-ws profile against a real implementation of the protocol.

The server is tests/graphql/app.py (Strawberry GraphQL, served by uvicorn);
the profile is tests/graphql/strawberry-chat.toml, which extends the built-in
and maps channels to subscription operations. Behave runs on small features.
"""

from __future__ import annotations

import re

from tests.features.harness import BehaveProject
from tests.features.test_channel_steps import outcomes


def test_auth_subscriptions_deliveries_and_complete(gql_project: BehaveProject) -> None:
    gql_project.feature(
        """
        Feature: graphql-transport-ws
          Scenario: the token in connection_init is accepted
            Given client A connects with no token
            When client A authenticates as alice
            And client A sends a ping
            Then client A receives a pong within 500 ms
            And client A is connected

          Scenario: a subscription's next messages arrive in order, then complete
            Given client A is connected as alice
            And client A is subscribed to count:3
            Then client A receives, in order, within 1 s:
              \"\"\"
              {"type": "next", "payload": {"data": {"count": 1}}}
              {"type": "next", "payload": {"data": {"count": 2}}}
              {"type": "next", "payload": {"data": {"count": 3}}}
              {"type": "complete"}
              \"\"\"

          Scenario: publish through a mutation, deliver through a subscription
            Given clients A and B are connected as alice and bob
            And client A is subscribed to room:lobby
            And client B is subscribed to room:lobby
            When client A publishes "hi" to room:lobby
            Then client B receives "hi" from alice in room:lobby within 500 ms
            When client A publishes 20 messages to room:lobby at 200 per second
            Then client B receives all 20 messages from client A within 2 s
            And client B receives the messages from client A in the order they were published

          Scenario: a refused subscription is rejected, an accepted one confirmed
            Given client A is connected as alice
            When client A subscribes to user:123:private
            Then client A's subscription to user:123:private is rejected
            When client A subscribes to room:other
            Then client A's subscription to room:other is confirmed

          Scenario: unsubscribe completes the operation
            Given clients A and B are connected as alice and bob
            And client A is subscribed to room:quiet
            And client B is subscribed to room:quiet
            When client B unsubscribes from room:quiet
            And client A publishes "anyone?" to room:quiet
            Then client A receives "anyone?" from alice in room:quiet
            And client B receives no message matching {"type": "next"} within 300 ms

          Scenario: reconnect authenticates and subscribes again
            Given clients A and B are connected as alice and bob
            And client B is subscribed to room:again
            When client B reconnects
            And client A publishes "back" to room:again
            Then client B receives "back" from alice in room:again
        """
    )
    run = gql_project.run()
    outcomes(
        run,
        {
            "the token in connection_init is accepted": "passed",
            "a subscription's next messages arrive in order, then complete": "passed",
            "publish through a mutation, deliver through a subscription": "passed",
            "a refused subscription is rejected, an accepted one confirmed": "passed",
            "unsubscribe completes the operation": "passed",
            "reconnect authenticates and subscribes again": "passed",
        },
    )
    assert run.passed, run.output


def test_forbidden_tokens_early_subscribes_and_wrong_expectations_fail(
    gql_project: BehaveProject,
) -> None:
    gql_project.feature(
        """
        Feature: graphql-transport-ws failures
          Scenario: a bad token is closed with 4403
            Given client A connects as mallory
            Then client A is closed with code 4403 within 1 s

          Scenario: a bad token cannot be connected
            Given client A is connected as mallory

          Scenario: a bad token cannot authenticate
            Given client A connects with no token
            When client A authenticates as mallory

          Scenario: subscribe before connection_ack is closed with 4401
            Given client A connects with no token
            When client A subscribes to room:lobby
            Then client A is closed with code 4401 within 1 s

          Scenario: a subscription cut short is not confirmed
            Given client A connects with no token
            And client A is subscribed to room:lobby

          Scenario: a refused subscription is not confirmed
            Given client A is connected as alice
            And client A is subscribed to user:123:private

          Scenario: the wrong sender
            Given clients A and B are connected as alice and bob
            And client B is subscribed to room:wrong
            When client A publishes "hi" to room:wrong
            Then client B receives "hi" from bob in room:wrong within 300 ms

          Scenario: resume is not in this profile
            Given client A is connected as alice
            And client A is subscribed to room:r
            When client A reconnects and resumes
        """
    )
    run = gql_project.run()
    blocks = outcomes(
        run,
        {
            "a bad token is closed with 4403": "passed",
            "a bad token cannot be connected": "failed",
            "a bad token cannot authenticate": "failed",
            "subscribe before connection_ack is closed with 4401": "passed",
            "a subscription cut short is not confirmed": "failed",
            "a refused subscription is not confirmed": "failed",
            "the wrong sender": "failed",
            "resume is not in this profile": "error",
        },
    )
    for name in ("a bad token cannot be connected", "a bad token cannot authenticate"):
        assert re.search(
            r"client A could not authenticate as mallory: closed: .*4403.*Forbidden", blocks[name]
        ), blocks[name]
        assert "not-a-known-token" not in blocks[name]  # tokens are redacted

    cut = blocks["a subscription cut short is not confirmed"]
    assert re.search(
        r"client A's subscription to room:lobby was cut short, expected it to be confirmed: "
        r".*4401.*Unauthorized",
        cut,
    ), cut

    refused = blocks["a refused subscription is not confirmed"]
    assert (
        "client A's subscription to user:123:private was rejected, expected it to be confirmed"
    ) in refused
    assert "forbidden: only room:* channels are public" in refused

    wrong = blocks["the wrong sender"]
    assert re.search(
        r'client B did not receive \{"type": "next", "id": "room:wrong#\d+", "payload": '
        r'\{"data": \{"messages": \{"text": "hi", "sender": "bob"\}\}\}\} within 300 ms',
        wrong,
    ), wrong
    assert '$.payload.data.messages.sender: expected "bob", got "alice"' in wrong

    resume = blocks["resume is not in this profile"]
    assert re.search(
        r"strawberry-chat\.toml: resume: profile 'strawberry-chat' does not define resume, "
        r"which reconnects and resumes needs: add a \[resume\] table",
        resume,
    ), resume


def test_a_channel_the_profile_does_not_map_is_an_error_naming_the_key_to_add(
    gql_project: BehaveProject,
) -> None:
    gql_project.file(
        "profiles/bare.toml",
        """
        extends = "graphql-transport-ws"
        """,
    )
    gql_project.feature(
        """
        Feature: unmapped channel
          Scenario: no operation for the channel
            Given the API profile "profiles/bare.toml"
            And client A is connected as alice
            When client A subscribes to room:lobby
        """
    )
    run = gql_project.run()
    blocks = outcomes(run, {"no operation for the channel": "error"})
    assert re.search(
        r"bare\.toml: subscribe\.send: uses \$\{query\}, which is not set for "
        r'channel room:lobby: declare it for this channel: \[channels\."room:lobby"\] '
        r"variables = \{ query = \.\.\. \}",
        blocks["no operation for the channel"],
    ), run.output


def test_a_subscription_that_failed_is_never_confirmed(gql_project: BehaveProject) -> None:
    gql_project.feature(
        """
        Feature: graphql-transport-ws rejections
          Scenario: a resolver error is not confirmed
            Given client A is connected as alice
            When client A subscribes to broken:1
            Then client A's subscription to broken:1 is confirmed

          Scenario: a resolver error is a rejection
            Given client A is connected as alice
            When client A subscribes to broken:1
            Then client A's subscription to broken:1 is rejected
            And client A receives {"type": "complete"} within 1 s

          Scenario: an error message is not confirmed
            Given client A is connected as alice
            When client A subscribes to user:123:private
            Then client A's subscription to user:123:private is confirmed

          Scenario: a failed subscription next to a good one is rejected
            Given client A is connected as alice
            And client A is subscribed to count:2
            When client A subscribes to broken:2
            Then client A's subscription to broken:2 is rejected
        """
    )
    run = gql_project.run()
    blocks = outcomes(
        run,
        {
            "a resolver error is not confirmed": "failed",
            "a resolver error is a rejection": "passed",
            "an error message is not confirmed": "failed",
            "a failed subscription next to a good one is rejected": "passed",
        },
    )
    resolver = blocks["a resolver error is not confirmed"]
    assert (
        "client A's subscription to broken:1 was rejected, expected it to be confirmed" in resolver
    ), resolver
    assert '"data":null' in resolver.replace(" ", "") and "the resolver failed" in resolver
    error = blocks["an error message is not confirmed"]
    assert "subscription to user:123:private was rejected, expected it to be confirmed" in error
