"""Steps: channels, through the API profile (subscribe, publish, deliveries, app pings)."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.steps._common import CLIENT, WITHIN, optional_duration, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")

CHANNEL = r'(?:"(?P<quoted>[^"]+)"|(?P<channel>[^\s"]+))'
"""A channel: one word without spaces (room:lobby), or a quoted string."""


def _channel(quoted: str | None, channel: str | None) -> str:
    return quoted if quoted is not None else str(channel)


@step(r'the API profile "(?P<profile>[^"]+)"')
def api_profile(context: Any, profile: str) -> None:
    """Uses this API profile: a built-in (chat, graphql-transport-ws) or a .toml file."""
    session(context).use_profile(profile)


@step(rf"client {CLIENT} authenticates as (?P<identity>[\w.@-]+)")
def authenticates(context: Any, name: str, identity: str) -> None:
    """Authenticates the client as this identity, the way the profile carries tokens."""
    session(context).connections.authenticate(name, identity)


@step(rf"client {CLIENT} is subscribed to {CHANNEL}")
def is_subscribed(context: Any, name: str, quoted: str | None, channel: str | None) -> None:
    """Subscribes the client and waits until the server confirms it."""
    s = session(context)
    s.channels.subscribe(name, s.text(_channel(quoted, channel)), confirm=True)


@step(rf"client {CLIENT} subscribes to {CHANNEL}")
def subscribes(context: Any, name: str, quoted: str | None, channel: str | None) -> None:
    """Sends the profile's subscribe message (check the answer with a later step)."""
    s = session(context)
    s.channels.subscribe(name, s.text(_channel(quoted, channel)), confirm=False)


@step(rf"client {CLIENT}'s subscription to {CHANNEL} is confirmed")
def subscription_confirmed(
    context: Any, name: str, quoted: str | None, channel: str | None
) -> None:
    """The server acknowledged the subscription."""
    s = session(context)
    s.channels.confirmed(name, s.text(_channel(quoted, channel)))


@step(rf"client {CLIENT}'s subscription to {CHANNEL} is rejected")
def subscription_rejected(context: Any, name: str, quoted: str | None, channel: str | None) -> None:
    """The server refused the subscription."""
    s = session(context)
    s.channels.rejected(name, s.text(_channel(quoted, channel)))


@step(rf"client {CLIENT} unsubscribes from {CHANNEL}")
def unsubscribes(context: Any, name: str, quoted: str | None, channel: str | None) -> None:
    """Sends the profile's unsubscribe message (and waits for its ack if it has one)."""
    s = session(context)
    s.channels.unsubscribe(name, s.text(_channel(quoted, channel)))


@step(rf'client {CLIENT} publishes "(?P<text>[^"]*)" to {CHANNEL}')
def publishes(context: Any, name: str, text: str, quoted: str | None, channel: str | None) -> None:
    """Publishes a text to a channel (marked, so its delivery can be timed)."""
    s = session(context)
    s.channels.publish(name, s.text(_channel(quoted, channel)), s.text(text))


@step(
    rf"client {CLIENT} publishes (?P<count>\d+) messages to {CHANNEL}"
    r"(?: at (?P<rate>\d+(?:\.\d+)?) per second)?"
)
def publishes_many(
    context: Any, name: str, count: str, quoted: str | None, channel: str | None, rate: str | None
) -> None:
    """Publishes N numbered messages, paced at R per second if given."""
    s = session(context)
    s.channels.publish_many(
        name, s.text(_channel(quoted, channel)), int(count), float(rate) if rate else None
    )


@step(rf'client {CLIENT} receives "(?P<text>[^"]*)" from (?P<sender>[\w.@-]+) in {CHANNEL}{WITHIN}')
def receives_from(
    context: Any,
    name: str,
    text: str,
    sender: str,
    quoted: str | None,
    channel: str | None,
    within: str | None,
) -> None:
    """The client gets this text from this sender on the channel."""
    s = session(context)
    s.channels.receive_from(
        name,
        s.text(text),
        s.text(sender),
        s.text(_channel(quoted, channel)),
        optional_duration(within),
    )


@step(
    rf"client {CLIENT} receives all (?P<count>\d+) messages"
    rf" from client (?P<sender>[\w.@-]+){WITHIN}"
)
def receives_all(context: Any, name: str, count: str, sender: str, within: str | None) -> None:
    """The other client's last N published messages all arrive (matched by their mark)."""
    s = session(context)
    s.deliveries.receive_all(name, sender, int(count), optional_duration(within))


@step(
    rf"client {CLIENT} receives the messages from client (?P<sender>[\w.@-]+) "
    r"in the order they were published"
)
def in_published_order(context: Any, name: str, sender: str) -> None:
    """All the other client's published messages arrive, in the order it published them."""
    session(context).deliveries.in_published_order(name, sender)


@step(rf"client {CLIENT} sends a ping")
def app_ping(context: Any, name: str) -> None:
    """Sends the profile's application-level ping message."""
    session(context).channels.ping(name)


@step(rf"client {CLIENT} receives a pong{WITHIN}")
def app_pong(context: Any, name: str, within: str | None) -> None:
    """The profile's application-level pong arrives."""
    s = session(context)
    s.channels.pong(name, optional_duration(within))


use_step_matcher("parse")
