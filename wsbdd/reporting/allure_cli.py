"""Finding and running the Allure command line (``allure``) for ``wsbdd report``.

The command line comes from the npm registry (``allure-commandline``, which
bundles the Java program) and needs a Java runtime. It is looked for on
``PATH``, then in ``.tools/node_modules/.bin/allure`` under the current
folder (where ``.ci/install-report-tools`` puts it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from wsbdd.exceptions import WsbddError

__all__ = [
    "INSTALL_HINT",
    "LOCAL_ALLURE",
    "ReportToolMissing",
    "find_allure",
    "generate_report",
    "has_results",
    "open_report",
]

LOCAL_ALLURE = Path(".tools") / "node_modules" / ".bin" / "allure"
"""Where ``npm install --prefix .tools allure-commandline`` puts the command."""

INSTALL_HINT = (
    "install it with .ci/install-report-tools, or by hand: "
    "apt-get install -y default-jre-headless && "
    "npm install --prefix .tools allure-commandline"
)


class ReportToolMissing(WsbddError):
    """The Allure command line, or the Java runtime it needs, is not installed."""


def find_allure(cwd: Path | None = None) -> Path:
    """The ``allure`` command: on PATH, else ``.tools/node_modules/.bin/allure`` under ``cwd``."""
    on_path = shutil.which("allure")
    if on_path:
        return Path(on_path)
    local = (cwd or Path.cwd()) / LOCAL_ALLURE
    if local.is_file() and os.access(local, os.X_OK):
        return local
    raise ReportToolMissing(
        f"the Allure command line (allure) is not on PATH nor in {LOCAL_ALLURE}: {INSTALL_HINT}"
    )


def _require_java() -> None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return
    if shutil.which("java") is None:
        raise ReportToolMissing(
            "the Allure command line needs Java, and no java command was found "
            f"(nor JAVA_HOME): {INSTALL_HINT}"
        )


def has_results(results: Path) -> bool:
    """True when ``results`` holds at least one Allure test result."""
    return results.is_dir() and any(results.glob("*-result.json"))


def _run(command: Sequence[str]) -> int:
    try:
        return subprocess.run(list(command), check=False).returncode
    except OSError as exc:
        raise ReportToolMissing(f"cannot run {command[0]}: {exc}: {INSTALL_HINT}") from exc


def generate_report(allure: Path, results: Path, output: Path, *, single_file: bool = False) -> int:
    """``allure generate RESULTS -o OUTPUT --clean``; returns allure's exit code."""
    if not has_results(results):
        raise WsbddError(
            f"no Allure results in {results} (no *-result.json): run the suite first "
            f"(wsbdd run writes them to reports/allure-results)"
        )
    _require_java()
    command = [str(allure), "generate", str(results), "-o", str(output), "--clean"]
    if single_file:
        command.append("--single-file")
    return _run(command)


def open_report(allure: Path, report: Path, host: str, port: int) -> int:
    """``allure open REPORT``: serve the HTML report until interrupted (Ctrl-C)."""
    _require_java()
    return _run([str(allure), "open", str(report), "--host", host, "--port", str(port)])
