"""The order the work is handed out in: by the durations of the previous run.

Pure: no I/O beyond reading and writing the small durations file.

The file (``reports/wsbdd-durations.json`` unless ``--durations-file`` says
otherwise) maps ``feature file::scenario name`` to the seconds the scenario
took last time it ran; every parallel run updates it. A scenario without a
recorded duration counts as the median of the known ones (1 s when none is
known). The batches (single scenarios, or whole features with
``--parallel-element feature``) go out longest first, each to the next
worker that asks for work, so the long ones start early and the short ones
fill the gaps at the end (greedy list scheduling). Scenarios that will not
run (excluded by tags or names) cost nothing: they go out last, one batch per
feature, so that they are reported as skipped once, as behave would.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:  # `wsbdd run`'s option parser reads this module's constant: keep it light
    from wsbdd.parallel.units import Unit

__all__ = [
    "DEFAULT_DURATIONS_FILE",
    "Element",
    "batches",
    "load_durations",
    "save_durations",
]

DEFAULT_DURATIONS_FILE: Final = "reports/wsbdd-durations.json"
UNKNOWN_DURATION_S: Final = 1.0

Element = Literal["scenario", "feature"]


def load_durations(path: Path) -> dict[str, float]:
    """The durations of the previous run (empty when the file is missing or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    scenarios = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(scenarios, dict):
        return {}
    return {
        str(key): float(value)
        for key, value in scenarios.items()
        if isinstance(value, (int, float)) and value >= 0
    }


def save_durations(path: Path, previous: Mapping[str, float], new: Mapping[str, float]) -> None:
    """Write ``previous`` updated with ``new`` (atomically: a temporary file, then a rename)."""
    merged = {**previous, **new}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    body = {"version": 1, "scenarios": dict(sorted(merged.items()))}
    temporary.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _cost(units: Sequence[Unit], durations: Mapping[str, float], default: float) -> float:
    return sum(durations.get(unit.key, default) for unit in units if unit.runs)


def batches(
    units: Sequence[Unit],
    durations: Mapping[str, float],
    element: Element = "scenario",
) -> list[list[Unit]]:
    """``units`` in batches, in the order to hand them out (see the module docstring)."""
    import statistics

    known = [durations[u.key] for u in units if u.runs and u.key in durations]
    default = statistics.median(known) if known else UNKNOWN_DURATION_S
    groups: dict[str, list[Unit]] = {}
    idle: dict[str, list[Unit]] = {}
    for unit in units:
        if element == "feature" or unit.runs:
            key = unit.feature if element == "feature" else unit.location
            groups.setdefault(key, []).append(unit)
        else:
            idle.setdefault(unit.feature, []).append(unit)
    ordered = sorted(groups.values(), key=lambda g: -_cost(g, durations, default))
    return [*ordered, *idle.values()]
