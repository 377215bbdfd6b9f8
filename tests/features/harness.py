"""Run behave in a subprocess on small feature files, the way users run wsbdd."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.zygote import Timeout, forkable, run_forked
from wsbdd.server.managed import ManagedServer

REPO = Path(__file__).resolve().parents[2]
BEHAVE_TIMEOUT = 120.0
TOKENS = {
    "WSBDD_TOKEN_ALICE": "alice-token",
    "WSBDD_TOKEN_BOB": "bob-token",
    "WSBDD_TOKEN_CAROL": "carol-token",
}
"""The reference server's tokens for alice, bob and carol, as a project's .env holds them."""


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
        return run_in(self.root, command, extra_env, timeout)


def server_env(server: ManagedServer, timeout: str | None = "1 s", **extra: str) -> dict[str, str]:
    """A `test` environment that targets the running ``server``, with the tokens.

    ``timeout`` is ``WSBDD_TIMEOUT`` (None: wsbdd's default); ``extra`` adds
    or replaces settings (``WSBDD_METRICS_URL=...``).
    """
    assert server.ws_url and server.http_url, f"{server.describe()} is not running"
    env = {"WSBDD_SERVER": "none", "WSBDD_URL": server.ws_url, "WSBDD_HTTP_URL": server.http_url}
    if timeout is not None:
        env["WSBDD_TIMEOUT"] = timeout
    return {**env, **TOKENS, **extra}


def run_in(
    root: Path,
    command: Sequence[str],
    extra_env: dict[str, str] | None = None,
    timeout: float = BEHAVE_TIMEOUT,
) -> BehaveRun:
    """Run ``command`` in ``root`` as a user would: no inherited ``WSBDD_*``, output merged."""
    what = command[2]  # python -m WHAT
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    environ.update(extra_env or {})
    environ["PYTHONUNBUFFERED"] = "1"
    if forkable(command):
        try:
            return BehaveRun(*run_forked(command, root, environ, timeout))
        except Timeout as exc:
            raise AssertionError(f"{what} did not finish within {timeout} s:\n{exc}") from None
    try:
        completed = subprocess.run(
            list(command),
            cwd=root,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode()
        raise AssertionError(f"{what} did not finish within {timeout} s:\n{out}") from None
    return BehaveRun(completed.returncode, completed.stdout)
