"""A deadline knows what its times count from, so failure texts can say it."""

from __future__ import annotations

from wsbdd.session.receiving import Deadline


def test_within_counts_from_the_last_trigger_when_there_is_one() -> None:
    deadline = Deadline.within(0.5, trigger=100.0)
    assert (deadline.origin, deadline.until) == (100.0, 100.5)
    assert deadline.reference == "the last trigger"
    assert deadline.describe() == "within 500 ms of the last trigger"


def test_without_a_trigger_it_counts_from_the_step_and_does_not_claim_one() -> None:
    deadline = Deadline.within(0.5, trigger=None)
    assert deadline.reference == "the step started"
    assert deadline.describe() == "within 500 ms"
    assert Deadline.default(2.0).reference == "the step started"
