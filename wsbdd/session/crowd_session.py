"""What the crowd checks read of the scenario: a narrow protocol and the scenario's adapter.

:mod:`wsbdd.session.crowd_expect` and :mod:`wsbdd.session.crowd_locust` see only
:class:`CrowdSession`: the run (its redactor and settings), the clients, the
timing policy's deadlines, the channels' profile, templates and publications,
and where latency samples go (:class:`CrowdContext` builds it from those parts).
"""

from __future__ import annotations

from typing import Any, Protocol

from wsbdd.core.deadlines import Deadline
from wsbdd.core.profiles import Profile
from wsbdd.core.timing import LatencyStats
from wsbdd.run import RunContext
from wsbdd.runtime import Clients
from wsbdd.session.profile_choice import ProfileChoice
from wsbdd.session.publications import Publication, Publications
from wsbdd.session.template_vars import TemplateVariables
from wsbdd.session.timing import ScenarioTiming

__all__ = ["CrowdChannels", "CrowdContext", "CrowdSession", "LatencyReport"]

LatencyReport = tuple[str, str, LatencyStats, list[float], float, float]
"""``(sender, receiver, stats, samples, percentile, limit)`` as the report reads it."""


class CrowdSession(Protocol):
    """The parts of a scenario session the crowd checks use."""

    run: RunContext
    clients: Clients
    latency_reports: list[LatencyReport]

    @property
    def default_timeout(self) -> float:
        """The default timeout, unscaled."""

    @property
    def channels(self) -> Any:
        """The scenario's :class:`~wsbdd.session.channels.ChannelOps`."""

    def deadline(self, within: float | None) -> Deadline:
        """``within T`` from the last trigger, or the default timeout from now."""

    def scaled(self, seconds: float) -> float:
        """``seconds`` scaled by the run's timeout factor."""


class CrowdChannels:
    """What the crowd checks read of the scenario's channels: profile, templates, publications."""

    def __init__(
        self, profiles: ProfileChoice, variables: TemplateVariables, publications: Publications
    ) -> None:
        self._profiles = profiles
        self.variables = variables
        self._publications = publications

    @property
    def profile(self) -> Profile:
        """The scenario's API profile (a UsageError without one)."""
        return self._profiles.required

    @property
    def publications(self) -> list[Publication]:
        """Every publication of the scenario, in the order sent."""
        return self._publications.all


class CrowdContext:
    """The narrow :class:`CrowdSession` the scenario hands its crowd checks."""

    def __init__(
        self,
        run: RunContext,
        clients: Clients,
        timing: ScenarioTiming,
        channels: CrowdChannels,
        latency_reports: list[LatencyReport],
    ) -> None:
        self.run = run
        self.clients = clients
        self._timing = timing
        self._channels = channels
        self.latency_reports = latency_reports

    @property
    def default_timeout(self) -> float:
        """The default timeout, unscaled (``WSBDD_TIMEOUT`` or "the default timeout is")."""
        return self._timing.policy.default_timeout

    @property
    def channels(self) -> CrowdChannels:
        """The scenario's channels, as the crowd checks read them."""
        return self._channels

    def deadline(self, within: float | None) -> Deadline:
        """``within T`` from the last trigger, or the default timeout from now."""
        return self._timing.message(within)

    def scaled(self, seconds: float) -> float:
        """``seconds`` scaled by the run's timeout factor."""
        return self._timing.scaled(seconds)
