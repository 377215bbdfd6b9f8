"""``wsbdd init`` then ``wsbdd run`` in a fresh folder; "did you mean" at run time."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.features.harness import BehaveProject

REPO = Path(__file__).resolve().parents[2]
WSBDD = REPO / ".venv" / "bin" / "wsbdd"
RUN_TIMEOUT = 120.0


def wsbdd(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    try:
        return subprocess.run(
            [str(WSBDD), *args],
            cwd=cwd,
            env=environ,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(
            f"wsbdd {' '.join(args)} did not finish within {RUN_TIMEOUT} s"
        ) from exc


def test_init_then_run_passes_against_the_embedded_server(tmp_path: Path) -> None:
    created = wsbdd("init", "suite", cwd=tmp_path)
    assert created.returncode == 0, created.stdout + created.stderr
    suite = tmp_path / "suite"
    for relative in (
        "features/example.feature",
        "features/schemas/message.json",
        "steps/wsbdd_steps.py",
        "environment.py",
        "environments/local.env",
        "environments/staging.env.example",
        "profiles/my-api.toml",
    ):
        assert (suite / relative).is_file(), relative
    assert "WSBDD_SERVER=embedded" in (suite / "environments/local.env").read_text()

    run = wsbdd("run", cwd=suite)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "3 scenarios passed, 0 failed" in output
    assert any((suite / "reports" / "allure-results").glob("*-result.json"))

    lint = wsbdd("lint", cwd=suite)
    assert lint.returncode == 0, lint.stdout
    assert lint.stdout.endswith("steps: no problems\n"), lint.stdout  # the one-line summary
    assert len(lint.stdout.splitlines()) == 1, lint.stdout


def test_init_keeps_files_that_are_already_there(tmp_path: Path) -> None:
    (tmp_path / "features").mkdir()
    mine = tmp_path / "features" / "example.feature"
    mine.write_text("Feature: mine\n")
    result = wsbdd("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert mine.read_text() == "Feature: mine\n"
    assert f"kept (already there)   {Path('features') / 'example.feature'}" in result.stdout
    assert (tmp_path / "steps" / "wsbdd_steps.py").is_file()


def test_an_undefined_step_at_run_time_gets_the_closest_phrases(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: typo
          Scenario: a misspelt step
            Given client A conects as alice
            Then client A receives {"type": "welcome"}
        """
    )
    run = project.run()
    assert not run.passed
    assert "undefined step at features/test.feature:3: Given client A conects as alice" in (
        run.output
    )
    assert "did you mean: Given client A connects as alice" in run.output


@pytest.mark.slow
def test_the_tutorial_and_cookbook_recipes_run_in_a_new_suite(tmp_path: Path) -> None:
    assert wsbdd("init", "suite", cwd=tmp_path).returncode == 0
    suite = tmp_path / "suite"
    scenarios = 0
    for doc in ("tutorial.md", "cookbook.md"):
        text = (REPO / "docs" / doc).read_text(encoding="utf-8")
        for index, block in enumerate(re.findall(r"```gherkin\n(.*?)```", text, re.DOTALL)):
            assert block.lstrip().startswith("Feature:"), f"{doc} snippet {index} is not a feature"
            (suite / "features" / f"{Path(doc).stem}-{index:02d}.feature").write_text(block)
            scenarios += len(re.findall(r"^\s*Scenario:", block, re.MULTILINE))
    run = wsbdd("run", "--no-allure", "-f", "plain", cwd=suite)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    # the example of init plus every recipe
    assert f"{scenarios + 3} scenarios passed, 0 failed" in output, output
