"""Plain ``behave`` in the repository root runs the shipped suite; no run prints a runner banner."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TIMEOUT = 120.0


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    return subprocess.run(
        list(command), cwd=cwd, env=environ, capture_output=True, text=True, timeout=TIMEOUT
    )


def test_plain_behave_in_the_root_finds_only_the_shipped_features() -> None:
    result = run(str(BIN / "behave"), "--dry-run", "-f", "pretty", "--no-color", cwd=REPO)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    read = sorted(re.findall(r"^Feature: .*# (\S+\.feature):\d+$", output, re.MULTILINE))
    assert read == sorted(f"features/{p.name}" for p in (REPO / "features").glob("*.feature"))
    assert "USING RUNNER" not in output


def test_wsbdd_run_prints_no_runner_banner(tmp_path: Path) -> None:
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "one.feature").write_text(
        'Feature: one\n  Scenario: nothing\n    Given the variable "a" is "b"\n'
    )
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *  # noqa\n")
    result = run(str(BIN / "wsbdd"), "run", "--dry-run", "--no-allure", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "1 untested" in output and "USING RUNNER" not in output


def test_python_m_behave_prints_no_runner_banner_either() -> None:
    result = run(sys.executable, "-m", "behave", "--dry-run", "--no-summary", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Feature: " in result.stdout and "USING RUNNER" not in result.stdout
