"""A worker's behave options: the user's, with file outputs per worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsbdd.cli import behave_arguments, main
from wsbdd.parallel.arguments import collect_junit, with_colour, worker_arguments


def test_options_pass_through_and_file_outputs_move_to_the_worker(tmp_path: Path) -> None:
    args = ["--tags", "not @slow", "-D", "x=1", "-f", "json", "-o", "out/r.json", "-f", "pretty"]
    worker = worker_arguments(args, tmp_path / "w1")
    part = tmp_path / "w1" / "outputs" / "0-r.json"
    assert worker.args == [
        *("--tags", "not @slow", "-D", "x=1", "-f", "json", "-o", str(part), "-f", "pretty")
    ]
    assert worker.outputs == {"out/r.json": part}
    assert worker.formats == {"out/r.json": "json"}


def test_the_console_output_stays_on_the_console(tmp_path: Path) -> None:
    worker = worker_arguments(["--format=plain", "--outfile=-"], tmp_path)
    assert worker.args == ["--format=plain", "-o", "-"]
    assert worker.outputs == {}


def test_junit_files_go_to_a_folder_per_worker_and_come_back(tmp_path: Path) -> None:
    one = worker_arguments(["--junit", "--junit-directory", str(tmp_path / "j")], tmp_path / "w1")
    two = worker_arguments(["--junit", "--junit-directory", str(tmp_path / "j")], tmp_path / "w2")
    assert one.args == ["--junit", "--junit-directory", str(tmp_path / "w1" / "junit")]
    for worker in (one, two):
        assert worker.junit is not None
        worker.junit[0].mkdir(parents=True)
        (worker.junit[0] / "TESTS-a.xml").write_text(str(worker.junit[0]))
    collect_junit([one.junit, two.junit])  # type: ignore[list-item]
    assert sorted(p.name for p in (tmp_path / "j").iterdir()) == ["TESTS-a.w2.xml", "TESTS-a.xml"]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_existing_output_file_is_not_taken_for_a_feature_path(in_tmp: Path) -> None:
    (in_tmp / "report.json").write_text("[]")
    args = behave_arguments(["-f", "json", "-o", "report.json"], allure_dir=None)
    assert args[-1] == "features"
    (in_tmp / "mine").mkdir()
    assert behave_arguments(["mine", "-o", "report.json"], allure_dir=None)[-1] != "features"
    (in_tmp / "mine" / "a.feature").write_text("Feature: a\n")
    assert "features" not in behave_arguments(["mine/a.feature:3"], allure_dir=None)


@pytest.mark.parametrize("value", ["0", "-2", "four"])
def test_a_bad_number_of_processes_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--processes", value])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "--processes" in error and ("at least 1" in error or "not a number" in error)


def test_colours_are_asked_for_on_a_terminal_unless_the_user_chose() -> None:
    assert with_colour(["--tags", "x"], terminal=True) == ["--color=on", "--tags", "x"]
    assert with_colour(["--tags", "x"], terminal=False) == ["--tags", "x"]
    assert with_colour(["--no-color"], terminal=True) == ["--no-color"]
    assert with_colour(["--color=never"], terminal=True) == ["--color=never"]
