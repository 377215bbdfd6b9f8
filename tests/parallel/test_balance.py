"""The order work goes out in: by the previous run's durations, longest first."""

from __future__ import annotations

from pathlib import Path

from wsbdd.parallel.balance import batches, load_durations, save_durations
from wsbdd.parallel.units import Unit


def unit(feature: str, line: int, *, runs: bool = True) -> Unit:
    return Unit(f"{feature}:{line}", feature, f"s{line}", runs=runs, serial=False)


def locations(work: list[list[Unit]]) -> list[list[str]]:
    return [[u.location for u in batch] for batch in work]


def test_the_longest_scenarios_go_out_first() -> None:
    units = [unit("a.feature", n) for n in range(1, 5)]
    durations = {u.key: d for u, d in zip(units, [1.0, 5.0, 0.5, 3.0], strict=True)}
    assert locations(batches(units, durations)) == [
        ["a.feature:2"],
        ["a.feature:4"],
        ["a.feature:1"],
        ["a.feature:3"],
    ]


def test_unknown_durations_count_as_the_median_of_the_known_ones() -> None:
    known = [unit("a.feature", n) for n in (1, 2, 3)]
    new = unit("b.feature", 1)
    durations = {known[0].key: 10.0, known[1].key: 2.0, known[2].key: 1.0}
    order = locations(batches([*known, new], durations))
    assert order.index(["b.feature:1"]) == 1 or order.index(["b.feature:1"]) == 2
    assert order[0] == ["a.feature:1"] and order[-1] == ["a.feature:3"]


def test_whole_features_stay_together() -> None:
    units = [unit("a.feature", 1), unit("a.feature", 2), unit("b.feature", 1)]
    durations = {units[2].key: 5.0, units[0].key: 1.0, units[1].key: 1.0}
    assert locations(batches(units, durations, element="feature")) == [
        ["b.feature:1"],
        ["a.feature:1", "a.feature:2"],
    ]


def test_scenarios_that_do_not_run_go_last_one_batch_per_feature() -> None:
    work = batches(
        [unit("a.feature", 1), unit("a.feature", 5, runs=False), unit("a.feature", 7, runs=False)],
        {},
    )
    assert locations(work) == [["a.feature:1"], ["a.feature:5", "a.feature:7"]]


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
