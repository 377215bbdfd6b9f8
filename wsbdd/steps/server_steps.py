"""Steps: server control, memory and metrics."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.steps._common import literal, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


@step(r"the server restarts")
def server_restarts(context: Any) -> None:
    """Restarts the managed server on the same port (embedded or WSBDD_SERVER command)."""
    session(context).server.restart()


@step(r"the server stops")
def server_stops(context: Any) -> None:
    """Stops the managed server (its clients see the connection end)."""
    session(context).server.stop()


@step(r"the server starts")
def server_starts(context: Any) -> None:
    """Starts the managed server again, on the same port."""
    session(context).server.start()


@step(r"I record the server's memory")
def record_memory(context: Any) -> None:
    """Remembers the server's resident memory as the baseline for a growth check."""
    session(context).server.record_memory()


@step(r"the server's memory grew by less than (?P<megabytes>\d+(?:\.\d+)?) MB")
def memory_grew_less(context: Any, megabytes: str) -> None:
    """The server's memory is at most this much above the recorded baseline."""
    session(context).server.assert_memory_growth_below(float(megabytes))


@step(r'the server metric "(?P<metric>[^"]+)" is (?P<value>.+)')
def metric_is(context: Any, metric: str, value: str) -> None:
    """A value of the metrics JSON reaches this value (within the default timeout)."""
    s = session(context)
    s.server.assert_metric(metric, literal(s.text(value)), s.timing.default_wait())


use_step_matcher("parse")
