"""Steps: delivery-latency percentiles."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.core.timing import parse_duration
from wsbdd.steps._common import CLIENT, DURATION, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


@step(
    r"the p(?P<percentile>\d+(?:\.\d+)?) delivery latency from client (?P<sender>[\w.@-]+) "
    rf"to client {CLIENT} is below (?P<limit>{DURATION})"
)
def latency_percentile(context: Any, percentile: str, sender: str, name: str, limit: str) -> None:
    """The Nth percentile of delivery latency (publish to arrival) is under the limit."""
    session(context).deliveries.assert_latency(
        sender, name, float(percentile), parse_duration(limit)
    )


use_step_matcher("parse")
