"""Crowd content and latency phrases against the reference server, passing and failing."""

from __future__ import annotations

import re

from tests.features.harness import BehaveProject, server_env
from wsbdd.server.managed import ManagedServer


def test_every_member_receives_the_broadcast_and_latency_is_measured(
    project: BehaveProject, reference_server: ManagedServer
) -> None:
    project.write_env("test", server_env(reference_server, "2 s"))
    project.feature(
        """
        Feature: crowd content
          Scenario: a broadcast reaches the whole crowd
            Given the API profile "chat"
            And client A is connected as alice
            And 50 clients are connected as carol and subscribed to room:c-ok
            When client A publishes "hi" to room:c-ok
            Then each of the 50 clients receives "hi" from alice in room:c-ok within 2 s
            And each of the 50 clients receives {"type": "message"} within 2 s
            And the p99 delivery latency from client A to the 50 clients is below 1 s
        """
    )
    run = project.run()
    assert run.passed, run.output
    assert "1 scenario passed, 0 failed" in run.output


def test_failures_count_the_members_that_missed_and_show_one(
    project: BehaveProject, reference_server: ManagedServer
) -> None:
    project.write_env("test", server_env(reference_server, "1 s"))
    project.feature(
        """
        Feature: crowd content failures
          Scenario: the wrong text
            Given the API profile "chat"
            And client A is connected as alice
            And 20 clients are connected as carol and subscribed to room:c-bad
            When client A publishes "hi" to room:c-bad
            Then each of the 20 clients receives "bye" from alice in room:c-bad within 300 ms

          Scenario: half the crowd elsewhere
            Given the API profile "chat"
            And client A is connected as alice
            And 10 clients are connected as carol and subscribed to room:c-one
            And 10 clients are connected as bob and subscribed to room:c-two
            When client A publishes "hi" to room:c-one
            Then each of the 10 clients receives {"type": "message"} within 300 ms

          Scenario: an impossible latency
            Given the API profile "chat"
            And client A is connected as alice
            And 20 clients are connected as carol and subscribed to room:c-fast
            When client A publishes "hi" to room:c-fast
            Then the p99 delivery latency from client A to the 20 clients is below 0.001 ms
        """
    )
    run = project.run()
    out = run.output
    assert "0 scenarios passed, 3 failed" in out, out
    assert "20 of 20 clients did not receive" in out, out
    assert '"text": "bye"' in out
    # one member in full: its state, its count, what it kept (the "hi" it did get)
    assert re.search(
        r"e\.g\. member #\d+ \(still connected\) received \d+ messages; "
        r"the latest 1 kept:\n +\{.*\"text\":\"hi\"",
        out,
    ), out
    # the later crowd of 10 (bob, room:c-two) is the one found, and got nothing
    assert "10 of 10 clients did not receive" in out
    assert "kept none since its greeting" in out
    assert "delivery latency from client A to the 20 clients: p99 is" in out
    assert "count=20 lost=0" in out


def test_the_same_phrases_on_two_locust_workers(
    project: BehaveProject, reference_server: ManagedServer
) -> None:
    project.write_env("test", server_env(reference_server, "2 s"))
    project.feature(
        """
        Feature: crowds on Locust
          Scenario: a broadcast reaches a crowd spread over two workers
            Given crowds run on 2 Locust workers
            And the API profile "chat"
            And client A is connected as alice
            And 60 clients are connected as carol and subscribed to room:l-ok
            When client A publishes "hi" to room:l-ok
            Then each of the 60 clients receives "hi" from alice in room:l-ok within 2 s
            And each of the 60 clients receives {"type": "message"} within 2 s
            And the p99 delivery latency from client A to the 60 clients is below 1 s

          Scenario: a miss counted over both workers
            Given crowds run on 2 Locust workers
            And the API profile "chat"
            And client A is connected as alice
            And 20 clients are connected as carol and subscribed to room:l-bad
            When client A publishes "hi" to room:l-bad
            Then each of the 20 clients receives "bye" from alice in room:l-bad within 300 ms
        """
    )
    run = project.run()
    out = run.output
    assert "1 scenario passed, 1 failed" in out, out
    assert "20 of 20 clients did not receive" in out
    assert "(on 2 Locust workers); e.g. member #" in out
