"""Splitting scenarios over workers by the previous run's durations."""

from __future__ import annotations

from pathlib import Path

from wsbdd.parallel.balance import load_durations, save_durations, split
from wsbdd.parallel.selection import Unit


def unit(feature: str, line: int, *, runs: bool = True) -> Unit:
    return Unit(f"{feature}:{line}", feature, f"s{line}", runs=runs, serial=False)


def loads(plans: list[list[Unit]], durations: dict[str, float]) -> list[float]:
    return [sum(durations.get(u.key, 0.0) for u in plan) for plan in plans]


def test_long_scenarios_are_spread_first_and_the_loads_even_out() -> None:
    units = [unit("a.feature", n) for n in range(1, 7)]
    durations = {u.key: d for u, d in zip(units, [5.0, 4.0, 3.0, 3.0, 2.0, 1.0], strict=True)}
    plans = split(units, 2, durations)
    assert sorted(loads(plans, durations)) == [9.0, 9.0]
    assert sorted(u.location for p in plans for u in p) == sorted(u.location for u in units)


def test_unknown_durations_count_as_the_median_of_the_known_ones() -> None:
    known = [unit("a.feature", n) for n in (1, 2, 3)]
    new = [unit("b.feature", n) for n in (1, 2)]
    durations = {known[0].key: 10.0, known[1].key: 1.0, known[2].key: 1.0}
    plans = split(known + new, 2, durations)
    alone = next(p for p in plans if known[0] in p)
    assert alone == [known[0]]  # 10 s against 1 + 1 + 1 + 1 (median) on the other


def test_whole_features_stay_together() -> None:
    units = [unit("a.feature", 1), unit("a.feature", 2), unit("b.feature", 1)]
    plans = split(units, 2, {}, element="feature")
    assert sorted([u.location for u in p] for p in plans) == [
        ["a.feature:1", "a.feature:2"],
        ["b.feature:1"],
    ]


def test_scenarios_that_do_not_run_go_with_their_feature() -> None:
    runs = unit("a.feature", 1)
    excluded = unit("a.feature", 5, runs=False)
    plans = split([runs, unit("b.feature", 1), excluded], 2, {})
    holder = next(p for p in plans if runs in p)
    assert excluded in holder
    assert sum(len(p) for p in plans) == 3


def test_more_workers_than_scenarios_leaves_some_idle() -> None:
    plans = split([unit("a.feature", 1)], 3, {})
    assert sorted(len(p) for p in plans) == [0, 0, 1]


def test_the_durations_file_keeps_old_entries_and_takes_new_ones(tmp_path: Path) -> None:
    path = tmp_path / "reports" / "durations.json"
    save_durations(path, {}, {"a::x": 1.5, "a::y": 2.0})
    save_durations(path, load_durations(path), {"a::y": 3.0})
    assert load_durations(path) == {"a::x": 1.5, "a::y": 3.0}


def test_a_missing_or_broken_durations_file_means_no_durations(tmp_path: Path) -> None:
    assert load_durations(tmp_path / "missing.json") == {}
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert load_durations(broken) == {}
    broken.write_text('{"scenarios": {"a::x": "slow", "a::y": -1, "a::z": 2}}')
    assert load_durations(broken) == {"a::z": 2.0}
