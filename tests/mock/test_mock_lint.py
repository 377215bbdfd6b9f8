"""``wsbdd lint`` knows what the mock steps set (${mock_url}) and fill later (a reply's ${…})."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from wsbdd.authoring.lint import lint_paths


def test_mock_variables_are_known_and_reply_fields_are_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WSBDD_ENV", raising=False)
    (tmp_path / "features").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "local.env").write_text(
        "WSBDD_SERVER=none\nWSBDD_URL=ws://127.0.0.1:9/\n"
    )
    (tmp_path / "features" / "t.feature").write_text(
        textwrap.dedent(
            """\
            Feature: f
              Scenario: s
                Given a mock server
                And the mock server answers {"type": "ping"} with {"type": "pong", "id": "${id}"}
                When the app under test is started with "python app.py ${mock_url} ${mock_ulr}"
                Then the mock server receives {"type": "hello", "room": "${room}"} within 1 s
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    problems = [p.render() for p in lint_paths(["features"], load_project_steps=False)]
    assert len(problems) == 2, problems
    assert ":5: unknown variable: ${mock_ulr}" in problems[0] and "${mock_url}" in problems[0]
    assert ":6: unknown variable: ${room}" in problems[1]
