"""The workers' files made into the run's: Allure results, one environment, outputs."""

from __future__ import annotations

import json
from pathlib import Path

from wsbdd.parallel.merge import (
    merge_allure,
    merge_environment,
    merge_outputs,
    parse_properties,
    write_broken_result,
)
from wsbdd.parallel.units import Unit
from wsbdd.reporting.run_environment import render_properties


def test_properties_survive_a_round_trip() -> None:
    props = {"target.url": "ws://h:1/ws?a=b", "odd key": "line\nbreak \\ here", "x:y": "1"}
    assert parse_properties(render_properties(props)) == props


def test_workers_that_disagree_are_all_shown() -> None:
    merged = merge_environment(
        [{"env": "local", "url": "ws://a"}, {"env": "local", "url": "ws://b"}], processes=2
    )
    assert merged == {"env": "local", "url": "ws://a, ws://b", "parallel.processes": "2"}


def test_results_move_into_one_folder_with_one_environment_file(tmp_path: Path) -> None:
    folders = [tmp_path / "w1", tmp_path / "w2"]
    for number, folder in enumerate(folders, start=1):
        folder.mkdir()
        (folder / f"{number}-result.json").write_text("{}")
        (folder / f"{number}-attachment.txt").write_text("transcript")
        (folder / "environment.properties").write_text(f"environment=local\nworker={number}\n")
    target = tmp_path / "allure"
    assert merge_allure(folders, target, processes=2) == 4
    names = sorted(p.name for p in target.iterdir())
    assert names == [
        "1-attachment.txt",
        "1-result.json",
        "2-attachment.txt",
        "2-result.json",
        "environment.properties",
    ]
    env = parse_properties((target / "environment.properties").read_text())
    assert env == {"environment": "local", "worker": "1, 2", "parallel.processes": "2"}


def test_a_scenario_nobody_reported_gets_a_broken_result(tmp_path: Path) -> None:
    unit = Unit("features/a.feature:3", "features/a.feature", "It dies", True, False)
    path = write_broken_result(tmp_path, unit, "worker 1 crashed", "last words")
    result = json.loads(path.read_text())
    assert result["status"] == "broken"
    assert result["name"] == "It dies"
    assert result["statusDetails"] == {"message": "worker 1 crashed", "trace": "last words"}


def test_json_reports_are_merged_feature_by_feature(tmp_path: Path) -> None:
    def part(name: str, features: list[dict[str, object]]) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(features))
        return path

    one = part(
        "1.json",
        [
            {
                "location": "a.feature:1",
                "status": "passed",
                "elements": [{"location": "a.feature:9", "status": "passed"}],
            }
        ],
    )
    two = part(
        "2.json",
        [
            {
                "location": "a.feature:1",
                "status": "failed",
                "elements": [{"location": "a.feature:3", "status": "failed"}],
            },
            {"location": "b.feature:1", "elements": []},
        ],
    )
    target = tmp_path / "out" / "report.json"
    merge_outputs({str(target): [one, two]}, {str(target): "json"})
    merged = json.loads(target.read_text())
    assert [f["location"] for f in merged] == ["a.feature:1", "b.feature:1"]
    assert [e["location"] for e in merged[0]["elements"]] == ["a.feature:3", "a.feature:9"]
    assert merged[0]["status"] == "failed"


def test_other_outputs_are_joined_in_worker_order(tmp_path: Path) -> None:
    (tmp_path / "1.txt").write_text("one\n")
    (tmp_path / "2.txt").write_text("two\n")
    target = tmp_path / "all.txt"
    merge_outputs({str(target): [tmp_path / "1.txt", tmp_path / "2.txt"]}, {})
    assert target.read_text() == "one\ntwo\n"
