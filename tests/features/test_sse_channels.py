"""The channel phrases on an SSE profile (chat-sse) against the reference server, through behave.

Subscribing opens the client's event stream at ``/sse/<channel>``; publishing
is ``POST /channels/<channel>/messages``; every receive, ordering and latency
phrase reads the stream's events unchanged.
"""

from __future__ import annotations

from tests.features.harness import BehaveProject

PASSING = """
Feature: An SSE feed through its profile

  Scenario: subscribe by stream, publish over HTTP, receive from whom in which channel
    Given the API profile "chat-sse"
    And client F is subscribed to room:ssechan
    When client B authenticates as bob
    And client B publishes "hello" to room:ssechan
    Then client F receives "hello" from bob in room:ssechan within 1 s
    And the last message of client F has event id "1"
    When client B publishes 20 messages to room:ssechan at 200 per second
    Then client F receives all 20 messages from client B within 5 s
    And client F receives the messages from client B in the order they were published
    And the p95 delivery latency from client B to client F is below 1 s

  Scenario: a WebSocket client and an SSE feed see the same publication
    Given client W is connected as alice
    And the API profile "chat"
    And client W is subscribed to room:ssemix
    And the API profile "chat-sse"
    And client F is subscribed to room:ssemix
    When client B authenticates as bob
    And client B publishes "both" to room:ssemix
    Then client F receives "both" from bob in room:ssemix within 1 s
    And client W receives {"type": "message", "text": "both", "from": "bob"} within 1 s

  Scenario: a private channel is its owner's: refused for bob, open for alice
    Given the API profile "chat-sse"
    When client F authenticates as bob
    And client F subscribes to user:alice:private
    Then client F's subscription to user:alice:private is rejected
    When client G authenticates as alice
    Then client G is subscribed to user:alice:private
    And client G's subscription to user:alice:private is confirmed

  Scenario: a resumed subscription gets what it missed, by Last-Event-ID
    Given the API profile "chat-sse"
    And client F is subscribed to room:sseresumed
    When client B authenticates as bob
    And client B publishes "one" to room:sseresumed
    Then client F receives "one" from bob in room:sseresumed within 1 s
    When client F disconnects
    And client B publishes "two" to room:sseresumed
    And client F reconnects and resumes
    Then client F receives "two" from bob in room:sseresumed within 1 s

  Scenario: unsubscribing hangs up the stream
    Given the API profile "chat-sse"
    And client F is subscribed to room:sseleave
    When client F unsubscribes from room:sseleave
    Then client F is closed with code 1000 within 1 s
"""


def test_the_channel_phrases_work_on_an_sse_profile(project: BehaveProject) -> None:
    project.feature(PASSING)
    run = project.run()
    assert run.passed, run.output
    assert run.summary_line("5 scenarios") == "5 scenarios passed, 0 failed, 0 skipped"


FAILING = """
Feature: An SSE feed's failures read well

  Background:
    Given the API profile "chat-sse"

  Scenario: a publisher nobody authenticated is refused, and told why
    Given client F is subscribed to room:ssenobody
    When client B publishes "hi" to room:ssenobody

  Scenario: a refused stream is a rejected subscription
    When client F authenticates as bob
    Then client F is subscribed to user:alice:private

  Scenario: an open stream is not a rejection
    Given client F is subscribed to room:sseopen
    Then client F's subscription to room:sseopen is rejected

  Scenario: nothing was published
    Given client F is subscribed to room:ssequiet
    Then client F receives "hi" from bob in room:ssequiet within 300 ms

  Scenario: one client, one stream
    Given client F is subscribed to room:sseone
    And client F is subscribed to room:ssetwo

  Scenario: crowds are WebSocket's
    Given 5 clients are connected and subscribed to room:ssecrowd
"""


def test_sse_channel_failures_say_what_was_expected_and_what_came(
    project: BehaveProject,
) -> None:
    project.feature(FAILING)
    run = project.run()
    out = run.output
    summary = run.summary_line("0 scenarios")
    assert summary == "0 scenarios passed, 4 failed, 2 error, 0 skipped", out
    assert "client B's publication to room:ssenobody was refused: POST http://" in out
    assert "/channels/room:ssenobody/messages answered 401" in out
    assert "client B publishes as nobody" in out
    assert (
        "client F's subscription to user:alice:private was rejected, expected it to be "
        "confirmed: the event stream http://" in out
    )
    assert "/sse/user:alice:private was refused with HTTP status 403" in out
    assert (
        "client F's subscription to room:sseopen was confirmed, expected it to be rejected"
        in out
    )
    assert "client F did not receive" in out and "within 300 ms" in out
    assert "client F already follows room:sseone over SSE" in out
    assert (
        'crowds connect over WebSocket only, and the API profile "chat-sse" says transport = '
        '"sse"' in out
    )
