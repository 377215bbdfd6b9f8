"""Fixtures for the mock-server feature tests: a behave project with no server to test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.features.harness import BehaveProject
from wsbdd.core.matching import Variables, render_json, substitute
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import Clients

PROBE = Path(__file__).with_name("probe_app.py")


@pytest.fixture
def project(tmp_path: Path) -> BehaveProject:
    """A behave project whose `test` environment has no server: the mock plays it."""
    env = {"WSBDD_SERVER": "none", "WSBDD_URL": "ws://127.0.0.1:9/", "WSBDD_TIMEOUT": "2 s"}
    return BehaveProject(tmp_path / "project", env)


class StubSession:
    """Just what :class:`MockOps` needs of a scenario (its ``Session`` protocol)."""

    def __init__(self, clients: Clients) -> None:
        self.run: Any = type("Run", (), {"redactor": Redactor()})()
        self.clients = clients
        self.variables = Variables()
        self.default_timeout = 2.0

    def text(self, value: str) -> str:
        return substitute(value, self.variables)

    def json(self, text: str) -> Any:
        return render_json(text, self.variables)

    def scaled(self, seconds: float) -> float:
        return seconds

    def set_variable(self, name: str, value: Any) -> None:
        self.variables.set(name, value)
