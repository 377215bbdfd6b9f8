"""``WSBDD_LOCUST_WORKERS`` works as an environment-file key, not only as a shell variable."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from wsbdd.core.exceptions import UsageError
from wsbdd.session.crowd_locust import WORKERS_ENV, LocustCrowdOps, workers_from_environment


def _session(values: dict[str, str]) -> Any:
    return cast(Any, SimpleNamespace(run=SimpleNamespace(settings=SimpleNamespace(values=values))))


def test_the_environment_file_key_puts_crowds_on_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    ops = LocustCrowdOps(_session({WORKERS_ENV: "2"}))
    assert ops.active and ops.workers == 2
    assert not LocustCrowdOps(_session({})).active


def test_the_shell_still_counts_and_a_bad_value_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert workers_from_environment({}) == 3
    with pytest.raises(UsageError, match="WSBDD_LOCUST_WORKERS must be a number"):
        workers_from_environment({WORKERS_ENV: "two"})
