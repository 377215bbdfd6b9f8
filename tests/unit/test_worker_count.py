"""``pytest -n auto`` (the README's test command) starts one and a half workers a core."""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

import pytest

from tests.conftest import pytest_xdist_auto_num_workers


def _config(numprocesses: Any) -> Any:
    return SimpleNamespace(option=SimpleNamespace(numprocesses=numprocesses))


@pytest.mark.parametrize(("cores", "workers"), [(1, 2), (2, 3), (4, 6), (8, 12)])
def test_auto_starts_one_and_a_half_workers_a_core(
    cores: int, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)))
    assert pytest_xdist_auto_num_workers(_config("auto")) == workers


def test_the_variable_and_logical_keep_pytest_xdists_own_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "5")
    assert pytest_xdist_auto_num_workers(_config("auto")) is None
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS")
    assert pytest_xdist_auto_num_workers(_config("logical")) is None
