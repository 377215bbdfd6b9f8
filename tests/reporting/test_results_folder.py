"""Each `wsbdd run` starts a clean results folder; only Allure's own files are removed."""

from __future__ import annotations

from pathlib import Path

from tests.features.harness import BehaveProject
from tests.reporting.conftest import wsbdd_run
from wsbdd.reporting.report_history import HISTORY_BEFORE, MARK
from wsbdd.reporting.results_folder import start_results_folder


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
    assert sorted(p.name for p in folder.iterdir()) == ["features", "notes.md"]
    assert start_results_folder(tmp_path / "new" / "folder") == 0
    assert (tmp_path / "new" / "folder").is_dir()


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
