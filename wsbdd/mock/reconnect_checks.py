"""The reconnect checks of a mock server: every client back, spread, backoff, jitter.

Each check reads the attempts the mock recorded (on the loop thread), waits
— bounded, woken only by the changes that can matter — until the clients
have tried again, and judges them with the pure :mod:`wsbdd.mock.analytics`.
What it judged stays in :attr:`ReconnectChecks.last` for the report's table and chart.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Protocol, TypeVar

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.records import now
from wsbdd.mock import analytics
from wsbdd.mock.identity import describe_keys
from wsbdd.mock.recorder import Change, MockRecord

__all__ = ["MockView", "ReconnectChecks"]

T = TypeVar("T")


class _Timing(Protocol):
    @property
    def default_timeout(self) -> float: ...
    def scaled(self, seconds: float) -> float: ...


class MockView(Protocol):
    """What the checks need of :class:`~wsbdd.mock.ops.MockOps`."""

    @property
    def record(self) -> MockRecord: ...
    @property
    def session(self) -> _Timing: ...
    def call(self, fn: Callable[[], T]) -> T: ...
    def until(
        self,
        probe: Callable[[], T | None],
        timeout: float,
        kinds: Collection[Change] | None = None,
    ) -> T | None: ...
    def redact(self, text: str) -> str: ...


Histories = tuple[dict[str, analytics.ClientHistory], float]
"""The attempts per client, and the disruption they are judged from."""

_TRIED: tuple[Change, ...] = ("refused", "opened", "frame")
"""The changes after which a client may have made a (judged) attempt."""
_BACK: tuple[Change, ...] = ("opened", "frame")
"""The changes after which a client may be back."""


class ReconnectChecks:
    """``every client reconnects within T`` and the storm, backoff and jitter checks."""

    def __init__(self, ops: MockView) -> None:
        self.ops = ops
        self.last: Histories | None = None
        """The histories the last check judged (None before any check)."""

    def _histories(self) -> Histories:
        """The attempts per client and the disruption; a usage error when either is missing."""
        record = self.ops.record

        def read() -> tuple[list[analytics.Attempt], list[str], float | None]:
            attempts, unknown = record.attempts()
            return attempts, [c.summary() for c in unknown], record.disruption

        attempts, unknown, since = self.ops.call(read)
        if since is None:
            raise UsageError(
                "no disruption yet: reconnects are measured after a step such as "
                '"When the mock server drops every connection"'
            )
        if unknown:
            raise UsageError(
                self.ops.redact(
                    f"the mock server cannot tell clients apart: {len(unknown)} connections "
                    f"carry none of {describe_keys(record.keys)} (e.g. {unknown[0]}); say how "
                    'with "Given the mock server tells clients apart by the header '
                    '\\"X-Device\\"" (or by the query parameter / by the field ...)'
                )
            )
        return analytics.histories(attempts), since

    def _judge(self, report: Any, seen: Histories) -> None:
        self.last = seen
        failure: str | None = report.failure()
        if failure:
            raise ExpectationFailed(self.ops.redact(failure))

    def reconnect(self, within: float) -> None:
        """Every judged client is back within ``within`` of the disruption (waits until then)."""
        limit = self.ops.session.scaled(within)
        self._histories()  # a usage error before waiting

        def probe() -> analytics.ReconnectReport | None:
            clients, since = self._histories_now()
            report = analytics.analyse_reconnects(clients, since, limit)
            return report if report.complete else None

        self.ops.until(probe, max(0.0, self._since() + limit - now()), _BACK)
        clients, since = self._histories()
        report = analytics.analyse_reconnects(clients, since, limit)
        self._judge(report, (clients, since))

    def _histories_now(self) -> Histories:
        attempts, _ = self.ops.record.attempts()
        since = self.ops.record.disruption
        assert since is not None
        return analytics.histories(attempts), since

    def _since(self) -> float:
        since = self.ops.call(lambda: self.ops.record.disruption)
        assert since is not None
        return since

    def _settled(
        self,
        ready: Callable[[dict[str, analytics.ClientHistory], float], bool],
        kinds: Collection[Change],
    ) -> Histories:
        """The histories once ``ready`` says so, or after the default timeout."""

        def probe() -> bool | None:
            clients, since = self._histories_now()
            return True if ready(clients, since) else None

        self._histories()  # a usage error before waiting
        self.ops.until(probe, self.ops.session.scaled(self.ops.session.default_timeout), kinds)
        return self._histories()

    @staticmethod
    def _all_tried(clients: dict[str, analytics.ClientHistory], since: float) -> bool:
        """Every judged client made an attempt after the disruption."""
        judged = analytics.judged(clients, since)
        return bool(judged) and all(h.first_attempt(since) for h in judged)

    @staticmethod
    def _all_back(clients: dict[str, analytics.ClientHistory], since: float) -> bool:
        """Every judged client reconnected after the disruption."""
        judged = analytics.judged(clients, since)
        return bool(judged) and all(h.reconnected(since) for h in judged)

    def spread(self, minimum: float) -> None:
        """The storm check, once every client tried again (or the default timeout passed)."""
        clients, since = self._settled(self._all_tried, _TRIED)
        self._judge(analytics.analyse_spread(clients, since, minimum), (clients, since))

    def backoff(self, factor: float) -> None:
        """The backoff check, once every client is back (or the default timeout passed)."""
        clients, since = self._settled(self._all_back, _BACK)
        self._judge(analytics.analyse_backoff(clients, since, factor), (clients, since))

    def jitter(self, minimum: float) -> None:
        """The jitter check, once every client tried again (or the default timeout passed)."""
        clients, since = self._settled(self._all_tried, _TRIED)
        self._judge(analytics.analyse_jitter(clients, since, minimum), (clients, since))
