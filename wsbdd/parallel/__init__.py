"""Parallel runs: ``wsbdd run --processes N`` (see docs/parallel.md).

Modules, one job each: :mod:`~wsbdd.parallel.selection` (which scenarios),
:mod:`~wsbdd.parallel.units` (a scenario as a unit of work),
:mod:`~wsbdd.parallel.balance` (in which order), :mod:`~wsbdd.parallel.worker`
(the worker process), :mod:`~wsbdd.parallel.protocol` (its markers),
:mod:`~wsbdd.parallel.forked` (workers forked from a pre-imported parent),
:mod:`~wsbdd.parallel.process` and :mod:`~wsbdd.parallel.supervisor`
(running and stopping workers, handing out work), :mod:`~wsbdd.parallel.console`
(whole scenarios on one console), :mod:`~wsbdd.parallel.arguments` and
:mod:`~wsbdd.parallel.merge` (files per worker, merged), and
:mod:`~wsbdd.parallel.summary` (one verdict); :mod:`~wsbdd.parallel.orchestrate`
ties them together. The names below are imported on first use, so that a
worker (``python -m wsbdd.parallel.worker``) does not load the supervisor.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["SERIAL_TAG", "WORKER_ENV", "ParallelOptions", "run_parallel"]

_HOMES = {
    "SERIAL_TAG": "wsbdd.parallel.units",
    "WORKER_ENV": "wsbdd.parallel.orchestrate",
    "ParallelOptions": "wsbdd.parallel.orchestrate",
    "run_parallel": "wsbdd.parallel.orchestrate",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
