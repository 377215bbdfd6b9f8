"""What the crowd check modules read of the scenario session (a Protocol, no import of it).

:mod:`wsbdd.session.crowd_expect` and :mod:`wsbdd.session.crowd_locust` are
given the :class:`~wsbdd.session.scenario.ScenarioSession`; typing it through
this view keeps them out of the session modules' import cycle.
"""

from __future__ import annotations

from typing import Any, Protocol

from wsbdd.core.timing import LatencyStats
from wsbdd.run import RunContext
from wsbdd.runtime import Clients
from wsbdd.session.receiving import Deadline

__all__ = ["CrowdSession", "LatencyReport"]

LatencyReport = tuple[str, str, LatencyStats, list[float], float, float]
"""``(sender, receiver, stats, samples, percentile, limit)`` as the report reads it."""


class CrowdSession(Protocol):
    """The parts of a scenario session the crowd checks use."""

    run: RunContext
    clients: Clients
    default_timeout: float
    latency_reports: list[LatencyReport]

    @property
    def channels(self) -> Any:
        """The scenario's :class:`~wsbdd.session.channels.ChannelOps`."""

    def deadline(self, within: float | None) -> Deadline:
        """``within T`` from the last trigger, or the default timeout from now."""

    def scaled(self, seconds: float) -> float:
        """``seconds`` scaled by the run's timeout factor."""
