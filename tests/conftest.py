"""Fixtures for the whole test suite.

The suite runs in parallel (``pytest -n auto --dist loadgroup``, README): a
session fixture here is made once per worker process, so the tests that share
an expensive one are put in one ``xdist_group`` and run on the same worker.
"""

from __future__ import annotations

import os

import pytest

from tests.suite.suite_runs import ShippedRun, run_shipped_suite

# The many `wsbdd run` / behave subprocesses reuse bytecode caches, as a user's
# runs do, instead of compiling wsbdd's modules again each time (a machine or CI
# that sets PYTHONDONTWRITEBYTECODE made every one of them about 0.3 s slower).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture(scope="session")
def shipped_suite_run(tmp_path_factory: pytest.TempPathFactory) -> ShippedRun:
    """The whole shipped suite, run once with ``wsbdd run`` against its own embedded server.

    Only for tests decorated with ``shares_the_shipped_run`` (tests/suite/suite_runs.py).
    """
    return run_shipped_suite(tmp_path_factory.mktemp("shipped-suite"))
