"""The scenario's deadlines: the pure timing policy fed with the runtime's trigger times."""

from __future__ import annotations

from wsbdd.core.deadlines import Deadline, TimingPolicy
from wsbdd.runtime import Clients

__all__ = ["ScenarioTiming"]


class ScenarioTiming:
    """Deadlines for the scenario's waits (see :mod:`wsbdd.core.deadlines` for the rules)."""

    def __init__(self, policy: TimingPolicy, clients: Clients) -> None:
        self.policy = policy
        self._clients = clients

    def scaled(self, seconds: float) -> float:
        """A written duration, scaled by ``WSBDD_TIMEOUT_SCALE``."""
        return self.policy.scaled(seconds)

    def default_wait(self) -> float:
        """How long a wait without "within" lasts (scaled)."""
        return self.policy.default_wait()

    def message(self, within: float | None) -> Deadline:
        """A message wait: "within T" of the last trigger, or the default timeout."""
        return self.policy.message(within, self._clients.last_trigger)

    def close(self, within: float | None) -> Deadline:
        """A close or heartbeat wait, from the step's start."""
        return self.policy.close(within)

    def pong(self, name: str, within: float | None) -> Deadline:
        """A protocol pong: "within T" of client ``name``'s last protocol ping."""
        return self.policy.pong(within, self._clients.last_ping_sent(name))

    def window(self, seconds: float) -> Deadline:
        """A fixed window from now, scaled."""
        return self.policy.window(seconds)
