"""The machine-readable result line every benchmark prints (read by ``bench/run_all.py``).

Convention: after its human-readable report, a benchmark prints one line per
figure it judges, each starting with ``RESULT `` followed by one JSON object:

    RESULT {"bench": "fanout", "name": "fan-out, 1000 subscribers", "unit": "deliveries/s",
            "wsbdd": 51234.0, "baseline": 60321.0, "compare": "ratio", "value": 0.85,
            "target": 0.7, "at_most": false, "met": true, "note": "..."}

* ``wsbdd``: wsbdd's figure; ``baseline``: the baseline's figure measured in
  the same run (``null`` for an absolute budget);
* ``compare``: how ``value`` is derived and judged against ``target``:
  ``"ratio"`` (wsbdd / baseline), ``"difference"`` (wsbdd - baseline, in
  ``unit``), ``"absolute"`` (wsbdd itself, e.g. a wall-time budget), or
  ``"info"`` (no target: reported, never judged);
* ``at_most``: the target is an upper bound (``value <= target``), else a
  lower bound (``value >= target``);
* ``met``: the verdict (``null`` for ``info``); a run that did not succeed
  (``passed=False``, e.g. a red suite) is a miss whatever its figure.

Several ``RESULT`` lines may come from one benchmark; the runner keeps them
all, in order. Only the standard library is used, so any bench script can
``from results import emit`` (``bench/`` is on ``sys.path`` when a script in
it runs).
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal

PREFIX = "RESULT "

Compare = Literal["ratio", "difference", "absolute", "info"]


def judge(
    wsbdd: float,
    baseline: float | None,
    compare: Compare,
    target: float | None,
    at_most: bool,
) -> tuple[float, bool | None]:
    """The compared value and the verdict (``None`` when there is nothing to judge)."""
    if compare == "ratio":
        value = wsbdd / baseline if baseline else math.inf
    elif compare == "difference":
        value = wsbdd - (baseline or 0.0)
    else:
        value = wsbdd if baseline is None or compare == "absolute" else wsbdd / baseline
    if compare == "info" or target is None:
        return value, None
    return value, (value <= target if at_most else value >= target)


def emit(
    bench: str,
    name: str,
    *,
    wsbdd: float,
    baseline: float | None,
    unit: str,
    compare: Compare = "ratio",
    target: float | None = None,
    at_most: bool = False,
    note: str = "",
    passed: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """Print one ``RESULT {json}`` line (flushed) and return the record."""
    value, met = judge(wsbdd, baseline, compare, target, at_most)
    if not passed:
        met = False
    record: dict[str, Any] = {
        "bench": bench,
        "name": name,
        "unit": unit,
        "wsbdd": wsbdd,
        "baseline": baseline,
        "compare": compare,
        "value": value,
        "target": target,
        "at_most": at_most,
        "met": met,
        "note": note,
        **extra,
    }
    print(PREFIX + json.dumps(record), flush=True)
    return record


def parse(line: str) -> dict[str, Any] | None:
    """The record of a ``RESULT`` line, or None for any other line."""
    if not line.startswith(PREFIX):
        return None
    record = json.loads(line[len(PREFIX) :])
    return record if isinstance(record, dict) else None
