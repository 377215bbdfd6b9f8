"""Fixtures for the whole test suite, and how many workers ``-n auto`` starts.

The suite runs in parallel (``pytest -n auto --dist loadgroup``, README): a
session fixture here is made once per worker process, so the tests that share
an expensive one are put in one ``xdist_group`` and run on the same worker.
"""

from __future__ import annotations

import math
import os

import pytest

from tests.suite.suite_runs import ShippedRun, run_shipped_suite

# The many `wsbdd run` / behave subprocesses reuse bytecode caches, as a user's
# runs do, instead of compiling wsbdd's modules again each time (a machine or CI
# that sets PYTHONDONTWRITEBYTECODE made every one of them about 0.3 s slower).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


WORKERS_PER_CORE = 1.5
"""``-n auto`` starts this many pytest workers a core (rounded up), not one.

About a third of the tests' time is spent waiting on the wire (deadlines, "stays
open", heartbeats, subprocesses starting): with one worker a core the two-core
machine was idle 212 s of a 364 s run; with three workers, 85 s of 287 s
(docs/architecture.md, "Tests at three depths"). ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still
overrides it, as pytest-xdist documents.
"""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """The worker count for ``-n auto``: :data:`WORKERS_PER_CORE` for each usable core."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.option.numprocesses != "auto":
        return None  # pytest-xdist's own answer: the variable, or ``logical``'s count
    return math.ceil(len(os.sched_getaffinity(0)) * WORKERS_PER_CORE)


@pytest.fixture(scope="session")
def shipped_suite_run(tmp_path_factory: pytest.TempPathFactory) -> ShippedRun:
    """The whole shipped suite, run once with ``wsbdd run`` against its own embedded server.

    Only for tests decorated with ``shares_the_shipped_run`` (tests/suite/suite_runs.py).
    """
    return run_shipped_suite(tmp_path_factory.mktemp("shipped-suite"))
