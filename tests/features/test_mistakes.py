"""A mistake in a feature is one line naming the file and line, in every formatter."""

from __future__ import annotations

import json
import sys

import pytest

from tests.features.harness import BehaveProject, run_in
from wsbdd.reporting.categories import CONFIGURATION_MARK

MISTAKES = """
Feature: mistakes
  Scenario: unknown client
    Given client A is connected as alice
    When client B sends {"type": "ping"}

  Scenario: invalid JSON
    Given client A is connected as alice
    When client A sends {"type": ping}

  Scenario: unknown variable
    Given client A is connected as alice
    When client A sends {"type": "${nope}"}

  Scenario: a broken expectation
    Given client A is connected as alice
    Then client A receives {"type": "never"} within 100 ms
"""

UNKNOWN_CLIENT = (
    "features/test.feature:4: client B is not connected in this scenario (clients: A); "
    'add a step like "Given client B connects" first'
)
INVALID_JSON = "features/test.feature:8: invalid JSON: Expecting value at line 1, column 10:"
UNKNOWN_VARIABLE = (
    "features/test.feature:12: unknown variable ${nope} (known: now, timestamp, uuid): set it "
    'in an earlier step (Given the variable "nope" is "...") or in the environment file'
)


def _no_traceback(output: str) -> None:
    assert "Traceback" not in output, output
    assert 'File "' not in output, output
    assert "wsbdd.core.exceptions" not in output, output


def test_plain_shows_each_mistake_as_one_line(project: BehaveProject) -> None:
    project.feature(MISTAKES)
    run = project.run()
    _no_traceback(run.output)
    lines = run.output.splitlines()
    assert UNKNOWN_CLIENT in lines, run.output
    assert INVALID_JSON in lines, run.output
    assert UNKNOWN_VARIABLE in lines, run.output
    # A broken expectation stays a failure with its own explanation.
    assert "0 scenarios passed, 1 failed, 3 error, 0 skipped" in lines, run.output


@pytest.mark.parametrize("formatter", ["pretty", "progress", "progress2", "progress3"])
def test_other_formatters_show_no_traceback(project: BehaveProject, formatter: str) -> None:
    project.feature(MISTAKES)
    run = project.run("-f", formatter)
    _no_traceback(run.output)
    if formatter != "progress":  # progress prints no step messages at all, failures neither
        assert UNKNOWN_CLIENT in run.output.replace("\n      ", " "), run.output


def test_pretty_indents_the_line_under_the_step(project: BehaveProject) -> None:
    project.feature(MISTAKES)
    run = project.run("-f", "pretty")
    assert f"      {UNKNOWN_CLIENT}" in run.output.splitlines(), run.output


@pytest.mark.parametrize("how", ["--verbose", "WSBDD_DEBUG=1"])
def test_verbose_or_debug_brings_the_traceback_back(project: BehaveProject, how: str) -> None:
    project.feature(MISTAKES)
    if how.startswith("--"):
        run = project.run(how)
    else:
        key, value = how.split("=")
        run = project.run(extra_env={key: value})
    assert "Traceback (most recent call last)" in run.output, run.output
    assert "wsbdd.core.exceptions.UnknownClient: client B is not connected" in run.output


def test_allure_shows_a_mistake_as_broken_with_that_line(project: BehaveProject) -> None:
    project.feature(MISTAKES)
    command = [sys.executable, "-m", "wsbdd", "run", "--env", "test", "--no-color"]
    run = run_in(project.root, command)
    _no_traceback(run.output)
    assert UNKNOWN_CLIENT in run.output.replace("\n      ", " "), run.output
    folder = project.root / "reports" / "allure-results"
    results = {}
    for path in folder.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        results[data["name"]] = data
    broken = results["unknown client"]
    assert broken["status"] == "broken"
    assert broken["statusDetails"]["message"] == UNKNOWN_CLIENT
    # Filed under "configuration or usage", with no Python traceback.
    assert broken["statusDetails"]["trace"] == CONFIGURATION_MARK
    step = broken["steps"][1]
    assert step["status"] == "broken"
    assert step["statusDetails"]["message"] == UNKNOWN_CLIENT
    assert results["invalid JSON"]["status"] == "broken"
    assert results["invalid JSON"]["statusDetails"]["message"].startswith(INVALID_JSON)
    assert results["a broken expectation"]["status"] == "failed"
