"""A suite made by ``wsbdd init`` runs in parallel as it is, each worker with its own server."""

from __future__ import annotations

from pathlib import Path

from tests.features.test_init import wsbdd


def test_a_new_suite_passes_over_two_processes(tmp_path: Path) -> None:
    assert wsbdd("init", "suite", cwd=tmp_path).returncode == 0
    suite = tmp_path / "suite"
    serial = wsbdd("run", "--allure-dir", "serial", cwd=suite)
    run = wsbdd("run", "-j", "2", "--allure-dir", "parallel", cwd=suite)
    output = run.stdout + run.stderr
    assert serial.returncode == 0, serial.stdout + serial.stderr
    assert run.returncode == 0, output
    assert "3 scenarios passed, 0 failed" in output
    assert "Ran in 2 processes" in output
    results = sorted((suite / "parallel").glob("*-result.json"))
    assert len(results) == len(list((suite / "serial").glob("*-result.json"))) == 3
    properties = (suite / "parallel" / "environment.properties").read_text()
    assert "server=embedded\n" in properties
    assert properties.count("ws://127.0.0.1:") >= 1
    assert (suite / "reports" / "wsbdd-durations.json").is_file()
