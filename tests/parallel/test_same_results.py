"""With and without ``--processes``: the same verdicts, the same Allure results, one summary."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.features.harness import run_in
from tests.parallel.projects import MIXED_FEATURES, WsbddProject, allure_folder


def counts(output: str) -> list[str]:
    """behave's summary counts (feature, scenario and step lines)."""
    return re.findall(r"^\d+ (?:features?|scenarios?|steps?) passed.*$", output, re.MULTILINE)


@pytest.mark.parametrize("processes", ["1", "3"])  # 1: every feature comes back in batches
def test_the_same_scenarios_pass_and_fail_with_and_without_processes(
    project: WsbddProject, processes: str
) -> None:
    project.features(MIXED_FEATURES)
    serial = project.run("--tags", "not @excluded", name="serial")
    parallel = project.run("--tags", "not @excluded", "--processes", processes, name="parallel")

    assert serial.run.returncode == 1, serial.run.output
    assert parallel.run.returncode == 1, parallel.run.output
    assert serial.statuses == parallel.statuses
    assert sorted(serial.statuses.values()).count("failed") == 2
    assert len(serial.statuses) == 9  # the outline's three rows and the excluded one included
    assert serial.allure_statuses == parallel.allure_statuses
    assert len(parallel.allure) == len(serial.allure) > 0


def test_one_summary_lists_each_failure_once_with_its_location(project: WsbddProject) -> None:
    project.features(MIXED_FEATURES)
    serial = project.run("--tags", "not @excluded", name="serial")
    parallel = project.run("--tags", "not @excluded", "-j", "3", name="parallel")
    out = parallel.run.output

    for location in ("features/b_fail.feature:2", "features/c_more.feature:7"):
        assert len(re.findall(rf"^  {re.escape(location)}  ", out, re.MULTILINE)) == 1, out
    assert out.count("Failing scenarios:") == 1
    assert counts(out) == counts(serial.run.output)
    assert counts(out) == [
        "1 feature passed, 2 failed, 0 skipped",
        "6 scenarios passed, 2 failed, 1 skipped",
        "16 steps passed, 2 failed, 1 skipped",
    ]
    assert "Ran in 3 processes" in out


def test_each_scenario_is_printed_whole(project: WsbddProject) -> None:
    project.features(MIXED_FEATURES)
    out = project.run("-j", "3", name="parallel").run.output
    blocks = re.split(r"\n(?=  Scenario)", out)
    ping = next(b for b in blocks if b.startswith("  Scenario: A ping is answered"))
    lines = ping.strip().splitlines()
    assert [line.split(" ...")[0].strip() for line in lines[1:4]] == [
        "Given client A is connected as alice",
        'When client A sends {"type": "ping"}',
        'Then client A receives {"type": "pong"} within 1 s',
    ], ping


def test_one_environment_file_for_the_allure_report(project: WsbddProject) -> None:
    project.features(MIXED_FEATURES)
    project.run("-j", "2", name="parallel")
    folder = allure_folder(project, "parallel")
    files = list(folder.glob("*environment.properties"))
    assert [f.name for f in files] == ["environment.properties"]
    text = files[0].read_text()
    assert "environment=test\n" in text
    assert "parallel.processes=2\n" in text


def test_whole_features_go_to_one_worker_each(project: WsbddProject) -> None:
    project.features(MIXED_FEATURES)
    serial = project.run(name="serial")
    parallel = project.run("-j", "2", "--parallel-element", "feature", name="parallel")
    assert serial.statuses == parallel.statuses
    assert len(parallel.allure) == len(serial.allure)


def test_a_green_run_exits_0_and_remembers_durations(project: WsbddProject) -> None:
    project.features({"a_pass.feature": MIXED_FEATURES["a_pass.feature"]})
    done = project.run("--tags", "not @excluded", "-j", "2", name="parallel")
    assert done.run.returncode == 0, done.run.output
    durations = (project.root / "durations.json").read_text()
    assert '"features/a_pass.feature::A ping is answered"' in durations


def test_a_mistake_in_the_environment_is_one_line(project: WsbddProject) -> None:
    project.features(MIXED_FEATURES)
    done = project.run("-j", "2", name="parallel", env="nowhere")
    assert done.run.returncode == 2, done.run.output
    assert "Traceback" not in done.run.output
    lines = done.run.output.strip().splitlines()
    assert len(lines) == 1 and "environments/nowhere.env" in lines[0], done.run.output


def test_stop_ends_the_run_after_a_failure_without_errors(project: WsbddProject) -> None:
    project.features(MIXED_FEATURES)
    done = project.run("-j", "1", "--stop", name="parallel")
    out = done.run.output
    assert done.run.returncode == 1, out
    assert "Failing scenarios:\n  features/b_fail.feature:2  A pong that never comes" in out
    assert "PARALLEL-ERROR" not in out
    assert "features/c_more.feature" not in done.statuses  # never run after the failure
    assert "untested" in counts(out)[1], out


BACKGROUNDS = {
    "backgrounds.feature": """
        Feature: Backgrounds and outline rows
          Background:
            Given client A is connected as alice

          Scenario: A ping
            When client A sends {"type": "ping"}
            Then client A receives {"type": "pong"} within 1 s

          Scenario Outline: A ping from <user>
            Given client B is connected as <user>
            When client B sends {"type": "ping"}
            Then client B receives {"type": "pong"} within 1 s

            Examples:
              | user  |
              | bob   |
              | carol |

          Scenario: Nothing comes
            Then client A receives {"type": "never"} within 100 ms
        """,
}


def test_backgrounds_and_outline_rows_run_once_each(project: WsbddProject) -> None:
    project.features(BACKGROUNDS)
    serial = project.run(name="serial")
    parallel = project.run("-j", "3", name="parallel")
    assert len(serial.statuses) == 4
    assert serial.statuses == parallel.statuses, serial.run.output + parallel.run.output
    assert serial.allure_statuses == parallel.allure_statuses
    assert counts(parallel.run.output) == counts(serial.run.output)
    assert parallel.run.returncode == serial.run.returncode == 1


def test_without_a_format_the_console_shows_behaves_default_one(project: WsbddProject) -> None:
    project.features({"a_pass.feature": MIXED_FEATURES["a_pass.feature"]})
    command = [sys.executable, "-m", "wsbdd", "run", "--env", "test", "--no-allure", "-j", "2"]
    out = run_in(project.root, command).output
    assert "Feature: Passing ones # features/a_pass.feature:1" in out, out  # behave's pretty
    assert "  Scenario: A ping is answered" in out


def test_a_closed_console_does_not_stop_the_run(project: WsbddProject) -> None:
    project.features(MIXED_FEATURES)
    command = [sys.executable, "-m", "wsbdd", "run", "--env", "test", "-j", "2", "--no-allure"]
    command += ["-f", "json", "-o", "report.json", "-f", "plain"]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    with subprocess.Popen(
        command, cwd=project.root, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as run:
        assert run.stdout is not None and run.stderr is not None
        run.stdout.read(10)  # like `| head -c 10`
        run.stdout.close()
        errors = run.stderr.read().decode()
        run.wait(timeout=120)
    assert run.returncode == 1, errors  # the verdict: two scenarios fail
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors
    assert len(json.loads((project.root / "report.json").read_text())) == 3
