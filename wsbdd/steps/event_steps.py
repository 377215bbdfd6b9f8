"""Steps: named events (SSE events, Socket.IO events), matched on their name and payload."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.core.timing import parse_duration
from wsbdd.session.events import EventChecks
from wsbdd.session.scenario import ScenarioSession
from wsbdd.steps._common import CLIENT, DURATION, INLINE_JSON, WITHIN, optional_duration, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")

EVENT = r'"(?P<event>[^"]+)"'


def _events(s: ScenarioSession) -> EventChecks:
    return EventChecks(s.clients, s.receiver, s.run.redactor)


@step(rf"client {CLIENT} receives the event {EVENT}(?: with {INLINE_JSON})?{WITHIN}")
def receives_event(
    context: Any, name: str, event: str, json: str | None, within: str | None
) -> None:
    """The client gets an event with this name (and a payload matching the JSON), consumed once."""
    s = session(context)
    expected = s.json(json) if json else None
    _events(s).receive(name, s.text(event), expected, s.deadline(optional_duration(within)))


@step(rf"client {CLIENT} receives no event {EVENT} within (?P<value>{DURATION})")
def receives_no_event(context: Any, name: str, event: str, value: str) -> None:
    """Waits this long and fails on any unconsumed event with this name (nor one before)."""
    s = session(context)
    _events(s).receive_none(name, s.text(event), s.scaled(parse_duration(value)))


@step(rf'the last message of client {CLIENT} has event id "(?P<id>[^"]*)"')
def last_has_event_id(context: Any, name: str, id: str) -> None:
    """The message the last receive step matched (else the latest one) has this event id."""
    s = session(context)
    _events(s).assert_last_id(name, s.last_message(name), s.text(id))


use_step_matcher("parse")
