"""One worker of a parallel run: behave on the scenarios the supervisor gives it.

Started by the supervisor as ``python -m wsbdd.parallel.worker BEHAVE_ARGS``
before the supervisor has even planned the run, the worker loads its hooks
and steps, parses the features and runs ``before_all`` (its embedded server,
the client loop); then it reads its plan, one JSON line on standard input::

    {"locations": ["features/a.feature:12", ...], "serial": ["features/leaks.feature:6"]}

It drops every scenario it does not own (nothing else is run, printed or
reported) and runs the rest as ``behave`` would, the features holding
``serial`` scenarios last: before the first of them it writes a ``gate``
marker and waits for a ``go`` line, which the supervisor sends once every
other worker is done, so those scenarios run alone. End of input instead of
a plan or ``go`` aborts the run. :class:`MarkerFormatter` (given first, on
``-o -``) writes the markers of :mod:`wsbdd.parallel.protocol` into the
console output.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final

from behave.__main__ import run_behave
from behave.configuration import Configuration
from behave.formatter.base import Formatter
from behave.model import Rule, ScenarioOutline
from behave.runner import Runner

from wsbdd.parallel.protocol import encode_marker

__all__ = ["MarkerFormatter", "SelectingRunner", "main", "scenario_result"]

FORMATTER: Final = "wsbdd.parallel.worker:MarkerFormatter"


def scenario_result(scenario: Any) -> dict[str, Any]:
    """What the supervisor needs of a finished scenario: statuses and durations."""
    return {
        "location": str(scenario.location),
        "status": scenario.status.name,
        "hook_failed": bool(getattr(scenario, "hook_failed", False)),
        "steps": [[step.status.name, float(step.duration or 0.0)] for step in scenario],
    }


class MarkerFormatter(Formatter):  # type: ignore[misc]
    """Writes a marker at each feature, scenario and result into the console stream."""

    name = "wsbdd-parallel"
    description = "markers for the wsbdd parallel supervisor (internal)"

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self.stream = self.open()
        self._feature: Any = None
        self._current: Any = None
        self._reported: set[str] = set()

    def _write(self, kind: str, **data: Any) -> None:
        self.stream.write(encode_marker(kind, **data))
        self.stream.flush()

    def _finish_scenario(self) -> None:
        scenario, self._current = self._current, None
        if scenario is not None:
            self._report(scenario)

    def _report(self, scenario: Any) -> None:
        result = scenario_result(scenario)
        if result["location"] not in self._reported:
            self._reported.add(result["location"])
            self._write("result", **result)

    def feature(self, feature: Any) -> None:
        self._finish_scenario()
        self._feature = feature
        self._write("feature", file=str(feature.filename), name=str(feature.name))

    def scenario(self, scenario: Any) -> None:
        self._finish_scenario()
        self._current = scenario
        self._write("scenario", location=str(scenario.location))

    def eof(self) -> None:
        self._finish_scenario()
        if self._feature is not None:
            # Scenarios behave skipped without showing them still have a result.
            for scenario in self._feature.walk_scenarios():
                self._report(scenario)
            self._write("eof", file=str(self._feature.filename))
        self._feature = None

    def gate(self) -> None:
        """Say that this worker waits at its gate (before its serial scenarios)."""
        self._finish_scenario()
        self._write("gate")

    def close(self) -> None:
        self._finish_scenario()
        self._write("close")
        # The stream is the console: leave it open for behave's summary.


def _owned(items: Sequence[Any], owned: set[str]) -> list[Any]:
    """The run items holding an owned scenario, outlines cut down to their owned rows."""
    kept: list[Any] = []
    for item in items:
        if isinstance(item, Rule):
            item.run_items = _owned(item.run_items, owned)
            if item.run_items:
                kept.append(item)
        elif isinstance(item, ScenarioOutline):
            rows = [s for s in item.scenarios if str(s.location) in owned]
            if rows:
                item._scenarios = rows  # as built, minus the rows of other workers
                item._is_any_example_table_modified = lambda: False
                kept.append(item)
        elif str(item.location) in owned:
            kept.append(item)
    return kept


class SelectingRunner(Runner):  # type: ignore[misc]
    """behave's runner, keeping only the scenarios of the plan read after ``before_all``."""

    def run_hook(self, hook_name: str, *args: Any) -> Any:
        result = super().run_hook(hook_name, *args)
        if hook_name == "before_all":
            self._follow_plan()
        return result

    def _follow_plan(self) -> None:
        line = sys.stdin.readline()
        if not line.strip():
            self.features[:] = []
            self.abort(reason="the parallel supervisor sent no plan")
            return
        plan = json.loads(line)
        owned = set(plan.get("locations", []))
        serial = set(plan.get("serial", []))
        kept: list[Any] = []
        gated: list[Any] = []
        for feature in self.features:  # the very list run_model is about to run
            feature.run_items = _owned(feature.run_items, owned | serial)
            if not feature.run_items:
                continue
            holds_serial = any(str(s.location) in serial for s in feature.walk_scenarios())
            (gated if holds_serial else kept).append(feature)
        if gated:
            gated[0].run = self._gated(gated[0].run)
        self.features[:] = kept + gated

    def _gated(self, run: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def gated_run(runner: Any) -> Any:
            for formatter in self.formatters:
                if isinstance(formatter, MarkerFormatter):
                    formatter.gate()
            if sys.stdin.readline().strip() != "go":
                self.abort(reason="the parallel supervisor went away")
            return run(runner)

        return gated_run


def main(argv: Sequence[str] | None = None) -> int:
    """Run behave with ``argv`` on this worker's scenarios; behave's exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    config = Configuration(["-f", FORMATTER, "-o", "-", *args])
    return int(run_behave(config, runner_class=SelectingRunner))


if __name__ == "__main__":  # pragma: no cover
    # Run the imported module's main: behave loads MarkerFormatter from
    # wsbdd.parallel.worker, and the runner must see that very class.
    from wsbdd.parallel.worker import main as _main

    sys.exit(_main())
