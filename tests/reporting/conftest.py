"""Fixtures for reporting tests: a behave project run with ``wsbdd run`` and its results."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.features.harness import BehaveProject, BehaveRun, run_in, server_env
from wsbdd.server.managed import ManagedServer

RUN_TIMEOUT = 120.0


@pytest.fixture(scope="session")
def reference_server() -> Iterator[ManagedServer]:
    """The reference server with its default settings, shared by the reporting tests."""
    with ManagedServer.embedded([]) as server:
        yield server


@pytest.fixture
def project(tmp_path: Path, reference_server: ManagedServer) -> BehaveProject:
    """A behave project whose `test` environment targets the shared reference server."""
    return BehaveProject(tmp_path / "project", server_env(reference_server))


@dataclass
class Results:
    """An Allure results folder: the test results by scenario name, attachments by name."""

    folder: Path

    def tests(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for path in self.folder.glob("*-result.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            found[data["name"]] = data
        return found

    def test(self, name: str) -> dict[str, Any]:
        tests = self.tests()
        assert name in tests, f"no result for scenario {name!r}; have {sorted(tests)}"
        return tests[name]

    def attachment(self, owner: dict[str, Any], name: str) -> str:
        """The text of attachment ``name`` of a test or step."""
        for attachment in owner.get("attachments", []):
            if attachment["name"] == name:
                return (self.folder / attachment["source"]).read_text(encoding="utf-8")
        names = [a["name"] for a in owner.get("attachments", [])]
        raise AssertionError(f"no attachment {name!r}; have {names}")


def wsbdd_run(project: BehaveProject, *args: str) -> tuple[BehaveRun, Results]:
    """``wsbdd run --env test ARGS`` in the project, as a user runs it; output and results."""
    command = [sys.executable, "-m", "wsbdd", "run", "--env", "test", "--no-color", *args]
    run = run_in(project.root, command, timeout=RUN_TIMEOUT)
    return run, Results(project.root / "reports" / "allure-results")


def step(test: dict[str, Any], starts_with: str) -> dict[str, Any]:
    """The step of ``test`` whose name starts with ``starts_with``."""
    for candidate in test.get("steps", []):
        if candidate["name"].startswith(starts_with):
            return candidate
    names = [s["name"] for s in test.get("steps", [])]
    raise AssertionError(f"no step starting {starts_with!r}; have {names}")
