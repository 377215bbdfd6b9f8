"""Which scenarios a run holds: behave's own parsing and selection, done once up front.

The supervisor reads the behave options exactly as behave will in each worker
(paths, ``@file`` lists, ``file:line`` locations, ``--include``/``--exclude``,
tags, ``--name``, the language), parses the features with behave's parser and
lists every scenario (Scenario Outlines: one per example row) with whether
behave would run it. Each scenario is later owned by exactly one worker, so
what the workers print and report is what one behave run would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from behave.configuration import Configuration
from behave.runner_util import collect_feature_locations, parse_features

from wsbdd.core.exceptions import WsbddError
from wsbdd.parallel.units import SERIAL_TAG, Unit

__all__ = ["Selection", "select_units"]


@dataclass
class Selection:
    """behave's configuration and parsed features, and the run's scenarios in file order."""

    config: Any
    features: list[Any]
    units: list[Unit]


def _configuration(behave_args: Sequence[str]) -> Any:
    try:
        return Configuration(list(behave_args))
    except SystemExit as exc:  # argparse's own usage error, already printed
        raise WsbddError(f"behave rejected the options {' '.join(behave_args)}") from exc
    except Exception as exc:  # ConfigError, TagExpressionError ...
        raise WsbddError(f"{type(exc).__name__}: {exc}") from exc


def select_units(behave_args: Sequence[str]) -> Selection:
    """Parse the features ``behave_args`` select; every scenario, in file order."""
    config = _configuration(behave_args)
    try:
        locations = [
            location
            for location in collect_feature_locations(config.paths)
            if not config.exclude(location.filename)
        ]
        features = parse_features(locations, language=config.lang)
    except Exception as exc:  # ParserError, FileNotFoundError ...
        raise WsbddError(f"{type(exc).__name__}: {exc}") from exc
    units: list[Unit] = []
    for feature in features:
        feature_runs = feature.should_run(config)
        for scenario in feature.walk_scenarios():
            units.append(
                Unit(
                    location=str(scenario.location),
                    feature=str(feature.filename),
                    name=str(scenario.name),
                    runs=bool(feature_runs and scenario.should_run(config)),
                    serial=SERIAL_TAG in scenario.effective_tags,
                )
            )
    return Selection(config, list(features), units)
