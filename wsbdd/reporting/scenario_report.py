"""What one scenario adds to the report, step by step (called from ``wsbdd.hooks``).

* after a failed step: the failure diff (expected, closest message, diff);
* after a latency step: its distribution as a table and a chart;
* after the scenario: every client's transcript, handshake and close (copied on
  the loop in the hop that closes the clients).

After every step, before anything of it is printed or written, the secrets
it revealed are learnt (:class:`~wsbdd.reporting.learning.WireLearner`),
with or without Allure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wsbdd.reporting._allure import is_active
from wsbdd.reporting._behave import status_name
from wsbdd.reporting.failure import attach_failure
from wsbdd.reporting.latency import attach_latency
from wsbdd.reporting.learning import WireLearner
from wsbdd.reporting.transcript import ClientRecord, attach_client_records, client_records

if TYPE_CHECKING:
    from wsbdd.runtime import Client
    from wsbdd.session.scenario import ScenarioSession

__all__ = ["ScenarioReport"]


class ScenarioReport:
    """Attaches one scenario's records to the Allure report (a no-op without Allure)."""

    def __init__(self, session: ScenarioSession) -> None:
        self.session = session
        self._latency_attached = 0
        self._learner = WireLearner(session)

    def _attach_new_latency(self) -> None:
        reports = self.session.latency_reports
        for sender, receiver, stats, samples, rank, limit in reports[self._latency_attached :]:
            attach_latency(sender, receiver, stats, samples, rank, limit)
        self._latency_attached = len(reports)

    @property
    def received_messages(self) -> tuple[int, int]:
        """Messages and bytes the scenario's clients had received at its last step."""
        return self._learner.received

    def after_step(self, step: Any) -> None:
        """Learn the secrets the step revealed; attach its measures and failure diff."""
        self._learner.after_step(step)
        if not is_active():
            return
        self._attach_new_latency()
        if status_name(step) == "failed":
            session = self.session
            attach_failure(
                getattr(step, "exception", None), session.started_at, session.run.redactor
            )

    def after_scenario(self) -> None:
        """Attach anything not attached yet (latency, the mock server's record)."""
        if not is_active():
            return
        self._attach_new_latency()
        if (mock := self.session.mock_if_used) is not None:
            from wsbdd.reporting.mock_report import attach_mock  # a scenario that used the mock

            attach_mock(mock, self.session.started_at, self.session.run.redactor)

    @property
    def records_wanted(self) -> Callable[[Mapping[str, Client]], list[ClientRecord]] | None:
        """What to copy on the loop as the clients close (None: no report to write)."""
        return client_records if is_active() else None

    def attach_clients(self, records: Sequence[ClientRecord] | None) -> None:
        """Attach every client's record, copied as the scenario's clients closed."""
        if records:
            attach_client_records(self.session, records)
