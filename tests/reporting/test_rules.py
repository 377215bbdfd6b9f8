"""Scenarios inside a ``Rule:`` get their Allure result and attachments like any other."""

from __future__ import annotations

import json
from pathlib import Path

from tests.features.harness import BehaveProject


def test_a_failing_scenario_in_a_rule_fails_and_is_reported(tmp_path: Path) -> None:
    project = BehaveProject(tmp_path / "p", {"WSBDD_SERVER": "embedded", "WSBDD_TIMEOUT": "1 s"})
    project.feature(
        """
        Feature: rules
          Rule: a rule
            Scenario: in a rule
              Given client A connects
              Then client A receives {"type": "nope"} within 100 ms
        """
    )
    results = tmp_path / "results"
    run = project.run(
        "-o", "-", "-f", "wsbdd.reporting.allure_formatter:AllureFormatter", "-o", str(results)
    )
    assert "HOOK-ERROR" not in run.output, run.output
    assert "1 scenario passed" not in run.output and "0 scenarios passed, 1 failed" in run.output
    [result] = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    assert result["name"] == "in a rule" and result["status"] == "failed"
    assert any(a["name"].startswith("transcript") for a in result["attachments"]), result
