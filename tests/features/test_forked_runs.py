"""A run forked from the tests' zygote prints and exits exactly as a new interpreter does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.features.harness import BehaveProject

FEATURE = """
Feature: f
  Scenario: passes
    Given the API profile "chat"

  Scenario: is a mistake
    Given the API profile "no-such-profile"
"""

TOOK = re.compile(r"^Took \d+min [\d.]+s$", re.MULTILINE)
"""behave's last line, the run's duration: the one line two runs may print differently."""


def _timeless(output: str) -> str:
    """The output with the duration of the run blanked out."""
    return TOOK.sub("Took (duration)", output)


def test_a_forked_run_gives_the_output_and_status_of_a_new_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = BehaveProject(tmp_path, {"WSBDD_SERVER": "none", "WSBDD_URL": "ws://127.0.0.1:9/"})
    project.feature(FEATURE)
    forked = project.run()
    monkeypatch.setenv("TESTS_FRESH_PROCESSES", "1")
    fresh = project.run()
    assert fresh.returncode == 1, fresh.output
    assert "unknown profile 'no-such-profile'" in fresh.output
    assert TOOK.search(fresh.output), fresh.output
    forked_run = (forked.returncode, _timeless(forked.output))
    assert forked_run == (fresh.returncode, _timeless(fresh.output))
