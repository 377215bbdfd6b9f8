"""`wsbdd report` without its tools or results: a clear message, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsbdd.cli import main
from wsbdd.reporting.allure_cli import LOCAL_ALLURE, ReportToolMissing, find_allure


@pytest.fixture
def no_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder without .tools/, and a PATH without allure or java."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def local_allure(folder: Path, script: str = "#!/bin/sh\nexit 0\n") -> Path:
    """An executable ``allure`` in ``folder``'s .tools/ that runs ``script``."""
    local = folder / LOCAL_ALLURE
    local.parent.mkdir(parents=True)
    local.write_text(script)
    local.chmod(0o755)
    return local


def test_a_missing_allure_says_how_to_install_it(
    no_tools: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report"]) == 2
    error = capsys.readouterr().err
    assert "wsbdd report: the Allure command line (allure) is not on PATH" in error
    assert ".ci/install-report-tools" in error
    assert "npm install --prefix .tools allure-commandline" in error
    assert "default-jre-headless" in error


def test_the_local_tools_folder_is_found(no_tools: Path) -> None:
    local = no_tools / LOCAL_ALLURE
    local.parent.mkdir(parents=True)
    local.write_text("#!/bin/sh\n")
    with pytest.raises(ReportToolMissing):
        find_allure()  # not executable yet
    local.chmod(0o755)
    assert find_allure() == local


def test_no_results_is_an_error_naming_the_folder(
    no_tools: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local_allure(no_tools)
    (no_tools / "empty-results").mkdir()
    assert main(["report", "--results", "empty-results"]) == 2
    error = capsys.readouterr().err
    assert "no Allure results in empty-results" in error and "wsbdd run" in error


def test_a_missing_java_says_how_to_install_it(
    no_tools: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local_allure(no_tools)
    results = no_tools / "reports" / "allure-results"
    results.mkdir(parents=True)
    (results / "x-result.json").write_text("{}")
    assert main(["report"]) == 2
    assert "needs Java" in capsys.readouterr().err
