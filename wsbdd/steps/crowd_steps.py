"""Steps: crowds, many anonymous clients at once (connect, cycle, reconnect storms)."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.core.timing import parse_duration
from wsbdd.steps._common import DURATION, INLINE_JSON, WITHIN, optional_duration, session
from wsbdd.steps.channel_steps import CHANNEL

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")

_IDENTITY = r"(?: as (?P<identity>[\w.@-]+))?"
_PACE = r"(?:, (?P<width>\d+) at a time| at (?P<rate>\d+(?:\.\d+)?) per second)?"


@step(
    rf"(?P<count>\d+) clients are connected{_IDENTITY}"
    rf"(?: and subscribed to {CHANNEL})?{_PACE}"
)
def crowd_is_connected(
    context: Any,
    count: str,
    identity: str | None,
    quoted: str | None,
    channel: str | None,
    width: str | None,
    rate: str | None,
) -> None:
    """Opens this many clients (200 at a time), optionally subscribed; every one must succeed."""
    from wsbdd.runtime.crowd import DEFAULT_CONCURRENCY  # loaded with the crowd, not before

    session(context).crowds.connect(
        int(count),
        identity=identity,
        channel=quoted if quoted is not None else channel,
        concurrency=int(width) if width else DEFAULT_CONCURRENCY,
        rate=float(rate) if rate else None,
    )


@step(rf"(?P<count>\d+) clients connect{_IDENTITY} and disconnect, (?P<width>\d+) at a time")
def crowd_cycles(context: Any, count: str, identity: str | None, width: str) -> None:
    """Opens and closes this many short-lived connections, so many at a time; none may fail."""
    session(context).crowds.connect_and_disconnect(int(count), int(width), identity=identity)


@step(r"the (?P<count>\d+) clients reconnect at once")
def crowd_reconnects(context: Any, count: str) -> None:
    """Closes the crowd of this size, then reopens every client together (a reconnect storm)."""
    session(context).crowds.reconnect(int(count))


@step(rf"all (?P<count>\d+) clients are connected within (?P<within>{DURATION})")
def crowd_connected_within(context: Any, count: str, within: str) -> None:
    """Every client of the crowd is connected, at most this long after its last operation began."""
    session(context).crowds.assert_connected(int(count), parse_duration(within))


@step(rf"each of the (?P<count>\d+) clients receives (?P<messages>\d+) messages?{WITHIN}")
def crowd_each_received(context: Any, count: str, messages: str, within: str | None) -> None:
    """Every client of the crowd got at least M messages after subscribing (broadcasts)."""
    session(context).crowds.assert_each_received(
        int(count), int(messages), optional_duration(within)
    )


@step(
    rf'each of the (?P<count>\d+) clients receives "(?P<text>[^"]*)" from (?P<sender>[\w.@-]+) '
    rf"in {CHANNEL}{WITHIN}"
)
def crowd_each_received_from(
    context: Any,
    count: str,
    text: str,
    sender: str,
    quoted: str | None,
    channel: str | None,
    within: str | None,
) -> None:
    """Every client of the crowd got this text from this sender on the channel."""
    s = session(context)
    s.crowds.assert_each_receives_from(
        int(count),
        s.text(text),
        s.text(sender),
        s.text(quoted if quoted is not None else channel or ""),
        optional_duration(within),
    )


@step(rf"each of the (?P<count>\d+) clients receives {INLINE_JSON}{WITHIN}")
def crowd_each_received_json(context: Any, count: str, json: str, within: str | None) -> None:
    """Every client of the crowd got a message matching this JSON (partial match)."""
    s = session(context)
    s.crowds.assert_each_receives(int(count), s.json(json), optional_duration(within))


@step(
    r"the p(?P<percentile>\d+(?:\.\d+)?) delivery latency from client (?P<sender>[\w.@-]+) "
    rf"to the (?P<count>\d+) clients is below (?P<limit>{DURATION})"
)
def crowd_latency(context: Any, percentile: str, sender: str, count: str, limit: str) -> None:
    """The Nth percentile of delivery latency from the client to every crowd member is under it."""
    session(context).crowds.assert_latency(
        sender, int(count), float(percentile), parse_duration(limit)
    )


@step(r"crowds run on (?P<workers>\d+) Locust workers?")
def crowds_on_locust(context: Any, workers: str) -> None:
    """This scenario's crowds open their members on so many Locust worker processes."""
    session(context).crowds.locust.use(int(workers))


use_step_matcher("parse")
