"""Each `wsbdd run` starts a clean results folder; only Allure's own files are removed."""

from __future__ import annotations

from pathlib import Path

from tests.features.harness import BehaveProject
from tests.reporting.conftest import wsbdd_run
from wsbdd.reporting.report_history import HISTORY_BEFORE, MARK
from wsbdd.reporting.result_writer import ResultWriter
from wsbdd.reporting.results_folder import SPARES, finish_results_folder, start_results_folder


def test_only_allure_files_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    (folder / "history").mkdir(parents=True)
    allure = [
        "1-result.json",
        "1-container.json",
        "2-attachment.txt",
        "3-attachment.svg",
        "environment.properties",
        "categories.json",
        "executor.json",
        MARK,
        HISTORY_BEFORE,
    ]
    for name in allure:
        (folder / name).write_text("x")
    (folder / "notes.md").write_text("mine")
    (folder / "features").mkdir()
    assert start_results_folder(folder) == len(allure) + 1  # and history/
    assert sorted(p.name for p in folder.iterdir()) == [SPARES, "features", "notes.md"]
    assert len(list((folder / SPARES).iterdir())) == len(allure)  # kept for the writer
    assert (folder / "notes.md").read_text() == "mine"
    finish_results_folder(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["features", "notes.md"]
    assert start_results_folder(tmp_path / "new" / "folder") == 0
    assert (tmp_path / "new" / "folder").is_dir()


def test_the_new_files_take_over_the_previous_runs_inodes(tmp_path: Path) -> None:
    # Creating a file right after many were deleted is slow on an ext4 without
    # a journal (the inode allocator steps over each recently deleted inode):
    # the previous run's files are overwritten instead of deleted.
    folder = tmp_path / "results"
    folder.mkdir()
    for i in range(5):
        (folder / f"old{i}-result.json").write_text("yesterday" * 100)
    old = {p.stat().st_ino for p in folder.iterdir()}
    start_results_folder(folder)
    writer = ResultWriter()
    for i in range(8):  # more files than spares: the last three are new
        writer.write(folder / f"new{i}-result.json", f'{{"n": {i}}}'.encode())
    writer.flush()
    written = sorted(folder.glob("new*-result.json"))
    assert [p.read_bytes() for p in written] == [f'{{"n": {i}}}'.encode() for i in range(8)]
    assert len({p.stat().st_ino for p in written} & old) == 5
    assert sorted(p.name for p in folder.iterdir()) == [p.name for p in written]  # no spare left


def test_a_file_in_the_way_of_the_spares_folder_leaves_the_old_files_deleted(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / SPARES).write_text("not ours to move")
    (folder / "old-result.json").write_text("{}")
    assert start_results_folder(folder) == 1
    assert sorted(p.name for p in folder.iterdir()) == [SPARES]
    finish_results_folder(folder)
    assert (folder / SPARES).read_text() == "not ours to move"


def test_spares_left_by_a_killed_run_are_reused_with_the_new_ones(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    (folder / SPARES).mkdir(parents=True)
    (folder / SPARES / "1").write_text("left by a killed run")
    (folder / "a-result.json").write_text("{}")
    (folder / "b-result.json").write_text("{}")
    assert start_results_folder(folder) == 2
    assert len(list((folder / SPARES).iterdir())) == 3  # none lost to a name taken twice


def test_spares_the_run_did_not_need_are_deleted_at_its_end(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    for i in range(3):
        (folder / f"old{i}-attachment.txt").write_text("x")
    start_results_folder(folder)
    writer = ResultWriter()
    writer.write(folder / "one-result.json", b"{}")
    writer.flush()
    assert sorted(p.name for p in folder.iterdir()) == ["one-result.json"]


def test_a_second_run_leaves_only_its_own_results(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: first
          Scenario: yesterday
            Given client A is connected as alice
        """,
        name="first.feature",
    )
    _run, results = wsbdd_run(project)
    assert set(results.tests()) == {"yesterday"}
    (project.root / "features" / "first.feature").unlink()
    project.feature(
        """
        Feature: second
          Scenario: today
            Given client A is connected as alice
        """,
        name="second.feature",
    )
    run, results = wsbdd_run(project)
    assert "1 scenario passed" in run.output, run.output
    assert set(results.tests()) == {"today"}  # yesterday's result is gone, not a "retry"
    assert len(list(results.folder.glob("*-attachment*"))) > 0
    assert not (results.folder / SPARES).exists()  # taken over or deleted
