"""A CI log (no terminal) of a long crowd step shows its progress, as plain lines."""

from __future__ import annotations

import re

from tests.features.harness import BehaveProject


def test_a_crowd_step_longer_than_a_second_ends_with_a_summary_line(
    project: BehaveProject,
) -> None:
    # 60 connections at 50 per second take at least 1.18 s: a long step.
    project.feature(
        """
        Feature: progress
          Scenario: a paced crowd
            Given 60 clients are connected as carol at 50 per second
        """
    )
    run = project.run()
    assert run.passed, run.output
    summary = re.findall(r"^wsbdd: connecting 60/60 in (\d+\.\d) s$", run.output, re.MULTILINE)
    assert len(summary) == 1 and float(summary[0]) >= 1.1, run.output
    assert "\r" not in run.output
