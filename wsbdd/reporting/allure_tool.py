"""Finding the Allure report tool for ``wsbdd report``: Allure 3 first, Allure 2 as a fallback.

Allure 3 is the npm package ``allure`` and runs on Node.js alone; Allure 2 is
``allure-commandline`` (npm) or any other Allure 2 install, and needs Java.
The command is looked for on ``PATH`` and in the suite's own
``.tools/node_modules/.bin/allure`` (where ``npm install --prefix .tools``
puts it). When both are found, Allure 3 wins. When neither is, the error
gives the one command that installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from wsbdd.core.exceptions import WsbddError

__all__ = [
    "ALLURE3_PACKAGE",
    "INSTALL_COMMAND",
    "LOCAL_ALLURE",
    "AllureTool",
    "ReportToolMissing",
    "find_allure",
    "require_java",
]

ALLURE3_PACKAGE = "allure@3.18.0"
"""The Allure 3 release wsbdd is tested with (npm package ``allure``)."""

LOCAL_ALLURE = Path(".tools") / "node_modules" / ".bin" / "allure"
"""Where ``npm install --prefix .tools allure`` puts the command, under the suite's folder."""

INSTALL_COMMAND = f"npm install --prefix .tools {ALLURE3_PACKAGE}"
"""The one command that installs the report tool into the suite's ``.tools/``."""

_VERSION_TIMEOUT = 60.0
_VERSION = re.compile(r"\b(\d+)\.(\d+)(?:\.(\d+))?\b")


class ReportToolMissing(WsbddError):
    """The Allure report tool (or, for Allure 2, the Java it runs on) is not installed."""


@dataclass(frozen=True)
class AllureTool:
    """One ``allure`` command: where it is and which major version (2 or 3) it is."""

    path: Path
    major: int
    version: str

    @property
    def label(self) -> str:
        """``Allure 3.18.0 (.tools/node_modules/.bin/allure)``, for messages."""
        return f"Allure {self.version} ({self.path})"


def _install_hint() -> str:
    node = "" if shutil.which("npm") else " (npm comes with Node.js 20 or newer: nodejs.org)"
    return f"install it into this suite with:\n    {INSTALL_COMMAND}{node}"


def _package_version(path: Path) -> tuple[int, str] | None:
    """The version from the npm package the command belongs to, without running it."""
    real = path.resolve()
    for parent in real.parents:
        manifest = parent / "package.json"
        if parent.parent.name != "node_modules" or not manifest.is_file():
            continue
        text = manifest.read_text(encoding="utf-8", errors="replace")
        found = re.search(r'"version"\s*:\s*"([^"]+)"', text)
        if parent.name in ("allure", "allure-commandline") and found:
            version = found.group(1)
            return int(version.split(".")[0]), version
        return None
    return None


def _run_version(path: Path) -> tuple[int, str] | None:
    """``allure --version``: for installs that are not npm packages (Allure 2 zips, brew)."""
    try:
        done = subprocess.run(
            [str(path), "--version"],
            capture_output=True,
            text=True,
            timeout=_VERSION_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = _VERSION.search(done.stdout)
    if done.returncode != 0 or found is None:
        return None
    return int(found.group(1)), found.group(0)


def _identify(path: Path) -> AllureTool | None:
    known = _package_version(path) or _run_version(path)
    if known is None:
        return None
    return AllureTool(path, *known)


def _candidates(cwd: Path) -> list[Path]:
    found: list[Path] = []
    on_path = shutil.which("allure")
    if on_path:
        found.append(Path(on_path))
    local = cwd / LOCAL_ALLURE
    if local.is_file() and os.access(local, os.X_OK):
        found.append(local)
    return found


def find_allure(cwd: Path | None = None) -> AllureTool:
    """The Allure command to use: Allure 3 if any is found, else Allure 2.

    Raises :class:`ReportToolMissing` with the install command when none is found.
    """
    folder = cwd or Path.cwd()
    tools = [tool for tool in map(_identify, _candidates(folder)) if tool is not None]
    for major in (3, 2):
        for tool in tools:
            if tool.major == major:
                return tool
    where = f"not on PATH nor in {LOCAL_ALLURE}"
    if tools:
        where = "found only " + ", ".join(t.label for t in tools) + ", which wsbdd cannot use"
    raise ReportToolMissing(f"the Allure report tool (allure) is {where}; {_install_hint()}")


def require_java(tool: AllureTool) -> None:
    """Allure 2 runs on Java: a clear error when there is none (Allure 3 needs none)."""
    if tool.major >= 3:
        return
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return
    if shutil.which("java") is None:
        raise ReportToolMissing(
            f"{tool.label} needs Java, and no java command was found (nor JAVA_HOME); "
            f"Allure 3 needs no Java: {_install_hint()}"
        )
