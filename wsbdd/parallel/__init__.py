"""Parallel runs: ``wsbdd run --processes N`` (see docs/parallel.md).

Modules, one job each: :mod:`~wsbdd.parallel.selection` (which scenarios),
:mod:`~wsbdd.parallel.balance` (who runs what), :mod:`~wsbdd.parallel.worker`
(the worker process), :mod:`~wsbdd.parallel.protocol` (its markers),
:mod:`~wsbdd.parallel.process` and :mod:`~wsbdd.parallel.supervisor`
(running and stopping workers), :mod:`~wsbdd.parallel.console` (whole
scenarios on one console), :mod:`~wsbdd.parallel.arguments` and
:mod:`~wsbdd.parallel.merge` (files per worker, merged), and
:mod:`~wsbdd.parallel.summary` (one verdict); :mod:`~wsbdd.parallel.orchestrate`
ties them together.
"""

from __future__ import annotations

from wsbdd.parallel.orchestrate import WORKER_ENV, ParallelOptions, run_parallel
from wsbdd.parallel.selection import SERIAL_TAG

__all__ = ["SERIAL_TAG", "WORKER_ENV", "ParallelOptions", "run_parallel"]
