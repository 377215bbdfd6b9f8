"""Run behave in a subprocess on small feature files, the way users run wsbdd."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BEHAVE_TIMEOUT = 120.0


@dataclass
class BehaveRun:
    """The outcome of one behave run: exit code and everything it printed."""

    returncode: int
    output: str

    @property
    def passed(self) -> bool:
        return self.returncode == 0

    def summary_line(self, what: str) -> str:
        for line in self.output.splitlines():
            if line.startswith(f"{what} ") and ("passed" in line or "failed" in line):
                return line
        raise AssertionError(f"no {what} summary in behave output:\n{self.output}")


class BehaveProject:
    """A temporary behave project using the wsbdd steps and hooks."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        (root / "features").mkdir(parents=True)
        (root / "features" / "schemas").mkdir()
        (root / "steps").mkdir()
        (root / "environments").mkdir()
        (root / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *  # noqa\n")
        (root / "environment.py").write_text("from wsbdd.hooks import *  # noqa\n")
        self.write_env("test", env)

    def write_env(self, name: str, values: dict[str, str]) -> Path:
        path = self.root / "environments" / f"{name}.env"
        path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        return path

    def feature(self, text: str, name: str = "test.feature") -> Path:
        path = self.root / "features" / name
        path.write_text(textwrap.dedent(text).lstrip())
        return path

    def file(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
        return path

    def run(
        self,
        *args: str,
        env_name: str = "test",
        extra_env: dict[str, str] | None = None,
        timeout: float = BEHAVE_TIMEOUT,
    ) -> BehaveRun:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
        environ.update(extra_env or {})
        environ["PYTHONUNBUFFERED"] = "1"
        command = [
            sys.executable,
            "-m",
            "behave",
            "--no-capture",
            "--no-color",
            "-f",
            "plain",
            "--no-timings",
            "-D",
            f"env={env_name}",
            *args,
        ]
        try:
            completed = subprocess.run(
                command,
                cwd=self.root,
                env=environ,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode()
            raise AssertionError(f"behave did not finish within {timeout} s:\n{out}") from None
        return BehaveRun(completed.returncode, completed.stdout)
