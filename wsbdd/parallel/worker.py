"""One worker of a parallel run: behave on the scenarios the supervisor hands it.

Started by the supervisor as ``python -m wsbdd.parallel.worker BEHAVE_ARGS``
before the supervisor has even planned the run, the worker loads its hooks
and steps, parses the features and runs ``before_all`` (its embedded server,
the client loop). Then, again and again, it asks for work (a ``next``
marker) and reads the answer, one JSON line on standard input::

    {"locations": ["features/a.feature:12", "features/a.feature:20"]}

and runs those scenarios as behave would, each feature holding some of them
cut down to just those (nothing else is run, printed or reported). An empty
list means there is no more work; end of input aborts the run.
:class:`MarkerFormatter` (given first, on ``-o -``) writes the markers of
:mod:`wsbdd.parallel.protocol` into the console output.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
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

    def ask(self) -> None:
        """Ask the supervisor for the next batch of scenarios."""
        self._finish_scenario()
        self._write("next")

    def close(self) -> None:
        self._finish_scenario()
        self._write("close")
        # The stream is the console: leave it open for behave's summary.


class _Catalogue:
    """The parsed features as they were, to be cut down to each batch of scenarios."""

    def __init__(self, features: Sequence[Any]) -> None:
        self.features = list(features)
        self._items: dict[int, list[Any]] = {}
        self._rows: dict[int, list[Any]] = {}
        for feature in self.features:
            self._remember(feature)

    def _remember(self, container: Any) -> None:
        self._items[id(container)] = list(container.run_items)
        for item in container.run_items:
            if isinstance(item, Rule):
                self._remember(item)
            elif isinstance(item, ScenarioOutline):
                self._rows[id(item)] = list(item.scenarios)

    def _keep(self, container: Any, owned: set[str]) -> bool:
        kept: list[Any] = []
        for item in self._items[id(container)]:
            if isinstance(item, Rule):
                if self._keep(item, owned):
                    kept.append(item)
            elif isinstance(item, ScenarioOutline):
                rows = [s for s in self._rows[id(item)] if str(s.location) in owned]
                if rows:
                    item._scenarios = rows  # as built, minus the rows run elsewhere
                    item._is_any_example_table_modified = lambda: False
                    kept.append(item)
            elif str(item.location) in owned:
                kept.append(item)
        container.run_items = kept
        # behave keeps the same items (rules aside) in ``scenarios``; allure-behave wraps
        # each of them once per feature start, so it must hold only this batch's.
        container.scenarios = [item for item in kept if not isinstance(item, Rule)]
        return bool(kept)

    def features_for(self, owned: set[str]) -> Iterator[Any]:
        """The features holding ``owned`` scenarios, in file order, cut down to them."""
        for feature in self.features:
            if self._keep(feature, owned):
                yield feature


class SelectingRunner(Runner):  # type: ignore[misc]
    """behave's runner, running the batches of scenarios the supervisor hands out."""

    def run_model(self, features: Any = None) -> Any:
        if features is None:
            features = self._batches()  # a generator: it starts after before_all
        return super().run_model(features)

    def _batches(self) -> Iterator[Any]:
        catalogue = _Catalogue(self.features)
        markers = [f for f in self.formatters if isinstance(f, MarkerFormatter)]
        while not self.aborted:
            for formatter in markers:
                formatter.ask()
            line = sys.stdin.readline()
            if not line.strip():
                self.abort(reason="the parallel supervisor went away")
                return
            locations = set(json.loads(line).get("locations") or [])
            if not locations:
                return
            yield from catalogue.features_for(locations)


def main(argv: Sequence[str] | None = None) -> int:
    """Run behave with ``argv`` on this worker's scenarios; behave's exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    config = Configuration(["-f", FORMATTER, "-o", "-", *args])
    if list(config.format) == [FORMATTER]:
        # behave adds its default console format only when none is given: ours is
        # internal, so add it as behave would have.
        config.format.append(config.default_format)
    return int(run_behave(config, runner_class=SelectingRunner))


if __name__ == "__main__":  # pragma: no cover
    # Run the imported module's main: behave loads MarkerFormatter from
    # wsbdd.parallel.worker, and the runner must see that very class.
    from wsbdd.parallel.worker import main as _main

    sys.exit(_main())
