"""The run's one verdict: the workers' results put back on one behave model.

The supervisor parsed the features itself (:mod:`wsbdd.parallel.selection`);
each scenario's status and step results, as its worker reported them, are
set on that model, and behave's own summary reporter prints the summary from
it: the same "Failing scenarios" list (each once, with ``file:line``) and
the same counts as one behave run would print. A scenario whose worker
crashed or hung before reporting it is an *error* (its steps *untested*).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from behave.model_type import Status
from behave.reporter.summary import SummaryReporter

__all__ = ["FAILING_STATUSES", "apply_results", "print_summary", "run_failed"]

FAILING_STATUSES = frozenset({"failed", "error", "hook_error", "cleanup_error", "undefined"})


def _set(entity: Any, status: str) -> None:
    try:
        entity.set_status(Status.from_name(status))
    except (LookupError, ValueError):
        entity.set_status(Status.error)


def apply_results(features: list[Any], results: Mapping[str, Mapping[str, Any]]) -> None:
    """Put each reported result on its scenario; unreported scenarios stay as given.

    ``results`` maps ``file:line`` to ``{"status", "hook_failed", "steps":
    [[status, seconds], ...]}``.
    """
    for feature in features:
        for scenario in feature.walk_scenarios():
            result = results.get(str(scenario.location))
            if result is None:
                continue
            steps = list(scenario)
            for step, (status, duration) in zip(steps, result.get("steps", []), strict=False):
                _set(step, str(status))
                step.duration = float(duration)
            scenario.hook_failed = bool(result.get("hook_failed"))
            _set(scenario, str(result.get("status", "untested")))


def run_failed(results: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether any scenario failed or errored."""
    return any(str(r.get("status")) in FAILING_STATUSES for r in results.values())


def print_summary(config: Any, features: list[Any], stream: TextIO) -> None:
    """behave's summary (failing and errored scenarios, counts, time) for ``features``."""
    reporter = SummaryReporter(config)
    reporter.stream = stream
    for feature in features:
        reporter.feature(feature)
    reporter.end()
