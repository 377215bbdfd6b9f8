"""The shipped suite with ``--processes 4``: the verdicts and Allure results of a serial run.

The @slow scenarios are left out of the parallel run: both are @serial, so
``-j`` runs them alone after the rest, on one worker, exactly as a serial
run does (the one @serial scenario that is not @slow still proves that
path), and together they were half of this test's time and CPU (ten
thousand connect/disconnect cycles, a storm of 300 reconnects).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.suite.suite_runs import ShippedRun, shares_the_shipped_run

REPO = Path(__file__).resolve().parents[2]


def run_suite(folder: Path, *args: str) -> tuple[int, str, dict[str, str], int]:
    """Exit code, console, statuses by location, Allure result files of one ``wsbdd run``."""
    report = folder / "report.json"
    allure = folder / "allure"
    command = [
        *(sys.executable, "-m", "wsbdd", "run", "--allure-dir", str(allure)),
        *("--durations-file", str(folder.parent / "durations.json")),
        *("-f", "json", "-o", str(report), "-f", "progress", *args),
    ]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    done = subprocess.run(
        command, cwd=REPO, env=environ, capture_output=True, text=True, timeout=300, check=False
    )
    statuses = {
        str(element["location"]): str(element["status"])
        for feature in json.loads(report.read_text())
        for element in feature.get("elements", [])
        if element.get("type") == "scenario"
    }
    results = len([p for p in allure.glob("*-result.json") if '"asyncapi:' not in p.read_text()])
    return done.returncode, done.stdout + done.stderr, statuses, results


@pytest.mark.slow
@pytest.mark.timeout(600)
@shares_the_shipped_run
def test_the_shipped_suite_gives_the_same_verdicts_over_four_processes(
    tmp_path: Path, shipped_suite_run: ShippedRun
) -> None:
    (tmp_path / "parallel").mkdir()
    serial = serial_run(shipped_suite_run)
    parallel = run_suite(tmp_path / "parallel", "--processes", "4", "--tags", "not @slow")
    slow = {r.location for r in shipped_suite_run.results if "slow" in r.tags}
    assert len(slow) == 2, slow
    assert serial[0] == 0, serial[1][-3000:]
    assert parallel[0] == 0, parallel[1][-3000:]
    # the same verdicts; behave reports the scenarios left out by the tags as skipped
    assert parallel[2] == {**serial[2], **dict.fromkeys(slow, "skipped")}
    assert len(serial[2]) >= 40
    assert parallel[3] == serial[3] == len(serial[2])
    assert "then 1 @serial alone" in parallel[1]
    # the AsyncAPI coverage is summed over the workers into one result, like a serial run's
    serial_coverage = coverage_of(shipped_suite_run.allure)
    parallel_coverage = coverage_of(tmp_path / "parallel" / "allure")
    seen = {label for label, count in serial_coverage["messages"].items() if count}
    assert seen == {label for label, count in parallel_coverage["messages"].items() if count}
    assert abs(parallel_coverage["frames"] - serial_coverage["frames"]) <= (
        0.05 * serial_coverage["frames"]
    )
    assert parallel_coverage["nonconforming"] == serial_coverage["nonconforming"] == 0
    assert "AsyncAPI contract features/asyncapi.yaml" in parallel[1]


def serial_run(run: ShippedRun) -> tuple[int, str, dict[str, str], int]:
    """What :func:`run_suite` tells of the session's serial run of the shipped suite."""
    files = run.allure.glob("*-result.json")
    results = len([p for p in files if '"asyncapi:' not in p.read_text()])
    return run.returncode, run.output, run.statuses, results


def coverage_of(allure: Path) -> dict[str, object]:
    """The one AsyncAPI coverage attachment of a results folder."""
    found = list(allure.glob("*-coverage-attachment.json"))
    assert len(found) == 1, sorted(p.name for p in allure.iterdir())
    return dict(json.loads(found[0].read_text()))
