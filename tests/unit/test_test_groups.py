"""Tests that share an expensive fixture really run on one pytest-xdist worker.

The README runs the tests with ``--dist loadgroup``; tests marked with the same
``xdist_group`` (the shipped suite's, tests/suite/suite_runs.py) must go to one
worker, or the suite they share runs once per worker. pytest-xdist sends them
together by suffixing their test id with ``@group``; pytest 9.2 keeps the id
where xdist 3.8 cannot change it, and every group silently scattered.
"""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("grouping_check")
def test_a_grouped_test_carries_its_group_to_the_scheduler(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("only under pytest -n N --dist loadgroup (the README's test command)")
    assert request.node.nodeid.endswith("@grouping_check"), (
        f"{request.node.nodeid}: pytest-xdist could not add the group to the test's id, so "
        "--dist loadgroup scatters grouped tests (pytest and pytest-xdist do not fit)"
    )
