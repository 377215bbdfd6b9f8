"""A crowd subscribes with the channel variables a named client would use.

The profile spells a room's subscription with a channel variable built from
the ``room:*`` pattern's wildcard (``room = "${wildcard}"``): a crowd member
must send ``room:lobby``, not the literal ``room:${wildcard}``, or it never
joins the room the named client publishes to.
"""

from __future__ import annotations

from tests.features.harness import BehaveProject


def test_a_crowd_renders_the_channel_wildcard_in_its_subscription(
    project: BehaveProject,
) -> None:
    project.file(
        "profiles/rooms.toml",
        """
        extends = "chat"

        [subscribe]
        send = { type = "subscribe", channel = "room:${room}" }
        ack = { type = "subscribed", channel = "room:${room}" }
        reject = { type = "error", code = "forbidden", channel = "room:${room}" }

        [channels."room:*"]
        variables = { room = "${wildcard}" }
        """,
    )
    project.feature(
        """
        Feature: crowd wildcards
          Scenario: the crowd joins the room the wildcard names
            Given the API profile "profiles/rooms.toml"
            And client A is connected as alice
            And client A is subscribed to room:f-wild
            And 20 clients are connected as carol and subscribed to room:f-wild
            When client A publishes "hi" to room:f-wild
            Then each of the 20 clients receives 1 message within 2 s
        """
    )
    run = project.run()
    assert run.passed, run.output
    assert "1 scenario passed" in run.output
