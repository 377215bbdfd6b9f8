"""Steps: heartbeats, idle clients and slow consumers."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.core.timing import parse_duration
from wsbdd.steps._common import CLIENT, DURATION, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


@step(rf"client {CLIENT} does not answer pings")
def does_not_answer_pings(context: Any, name: str) -> None:
    """The client ignores the server's protocol pings (a dead peer, as the server sees it)."""
    session(context).actions.answer_pings(name, False)


@step(rf"client {CLIENT} stops answering pings")
def stops_answering_pings(context: Any, name: str) -> None:
    """From now on the client ignores the server's protocol pings."""
    session(context).actions.answer_pings(name, False)


@step(rf"client {CLIENT} stays idle for (?P<value>{DURATION})")
def stays_idle(context: Any, name: str, value: str) -> None:
    """The client sends nothing for this long (it keeps receiving and answering pings)."""
    session(context).actions.idle(name, parse_duration(value))


@step(rf"client {CLIENT} stops reading")
def stops_reading(context: Any, name: str) -> None:
    """The client stops consuming frames, so the server's buffers for it fill up."""
    session(context).actions.stop_reading(name)


@step(rf"client {CLIENT} resumes reading")
def resumes_reading(context: Any, name: str) -> None:
    """The client consumes frames again."""
    session(context).actions.resume_reading(name)


use_step_matcher("parse")
