# ruff: noqa: E501  (feature text is kept on one line per step, as testers write it)
"""What a mock scenario puts in the Allure report, with the run's secrets hidden."""

from __future__ import annotations

import json
from pathlib import Path

from tests.features.harness import BehaveProject
from tests.mock.conftest import PROBE

SECRET = "s3cr3t-mock-token"


def test_transcript_app_output_and_reconnect_chart_are_attached_without_secrets(
    project: BehaveProject, tmp_path: Path
) -> None:
    project.write_env(
        "test",
        {"WSBDD_SERVER": "none", "WSBDD_URL": "ws://127.0.0.1:9/", "WSBDD_TOKEN_ALICE": SECRET},
    )
    project.feature(
        f"""
        Feature: mock report
          Scenario: a reconnect, then a message that never comes
            Given a mock server
            And the mock server greets every client with {{"type": "welcome"}}
            When the app under test is started with "python {PROBE} ${{mock_url}} --token ${{WSBDD_TOKEN_ALICE}}"
            Then the mock server has 1 connection within 5 s
            And the mock server receives {{"type": "auth"}} within 2 s
            When the mock server drops every connection
            Then every client reconnects within 5 s
            And the mock server receives {{"type": "never"}} within 200 ms
        """
    )
    results = tmp_path / "allure"
    formatter = "wsbdd.reporting.allure_formatter:AllureFormatter"
    run = project.run("-o", "-", "-f", formatter, "-o", str(results))
    assert not run.passed
    assert "the mock server did not receive" in run.output, run.output
    assert '"type": "auth", "token": "***"' in run.output or "token=***" in run.output
    assert SECRET not in run.output, run.output

    [result] = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    attachments = {a["name"]: results / a["source"] for a in result.get("attachments", [])}
    for step in result["steps"]:
        attachments.update({a["name"]: results / a["source"] for a in step.get("attachments", [])})
    assert {
        "mock server transcript",
        "mock server.json",
        "app under test 1 output",
        "reconnects",
        "reconnects chart",
    } <= set(attachments), sorted(attachments)
    transcript = attachments["mock server transcript"].read_text()
    assert "connection #0" in transcript and "GET /?client=p1&token=***" in transcript
    assert '→ {"type": "welcome"}' in transcript
    assert '← {"type": "auth", "token": "***"}' in transcript
    assert "cut without a close frame (code 1006)" in transcript
    assert "connection #1" in transcript
    output = attachments["app under test 1 output"].read_text()
    assert 'received {"type": "welcome"}' in output and "authenticated with ***" in output
    table = attachments["reconnects"].read_text().splitlines()
    assert table[0].startswith("client,attempts after,first attempt (ms)")
    assert table[1].startswith("p1,1,")
    assert attachments["reconnects chart"].read_text().startswith("<svg")
    for path in results.iterdir():
        assert SECRET not in path.read_text(errors="replace"), path.name
