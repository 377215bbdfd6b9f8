"""Fixtures for the whole test suite.

The suite runs in parallel (``pytest -n auto --dist loadgroup``, README): a
session fixture here is made once per worker process, so the tests that share
an expensive one are put in one ``xdist_group`` and run on the same worker.
"""

from __future__ import annotations

import pytest

from tests.suite.suite_runs import ShippedRun, run_shipped_suite


@pytest.fixture(scope="session")
def shipped_suite_run(tmp_path_factory: pytest.TempPathFactory) -> ShippedRun:
    """The whole shipped suite, run once with ``wsbdd run`` against its own embedded server.

    Only for tests decorated with ``shares_the_shipped_run`` (tests/suite/suite_runs.py).
    """
    return run_shipped_suite(tmp_path_factory.mktemp("shipped-suite"))
