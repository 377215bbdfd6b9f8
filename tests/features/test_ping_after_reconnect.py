"""Protocol pings are counted per connection: a reconnect starts the count again.

The shared reference server pings every second. Two pings matched on the
first connection must not make "receives a protocol ping" wait for the
*third* ping of the new one (about 3 s) after a reconnect.
"""

from __future__ import annotations

from tests.features.harness import BehaveProject


def test_a_reconnected_client_waits_for_its_own_first_ping(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: pings after a reconnect
          Scenario: reconnect between pings
            Given client A is connected as alice
            Then client A receives a protocol ping within 3 s
            And client A receives a protocol ping within 3 s
            When client A reconnects
            Then client A receives a protocol ping within 1.8 s
        """
    )
    run = project.run()
    assert run.passed, run.output
    assert "1 scenario passed" in run.output


def test_a_closed_client_fails_a_ping_wait_at_once(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: no ping after a close
          Scenario: closed before the ping
            Given client A is connected as alice
            When client A disconnects
            Then client A receives a protocol ping within 30 s
        """
    )
    # Far less than the 30 s: the closed client can receive nothing more.
    run = project.run(timeout=20)
    assert "0 scenarios passed, 1 failed" in run.output, run.output
    assert "client A received no protocol ping within" in run.output
    assert "0 pings in all; client closed" in run.output
