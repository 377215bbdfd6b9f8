"""Fixtures for the mock-server feature tests: a behave project with no server to test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.features.harness import BehaveProject

PROBE = Path(__file__).with_name("probe_app.py")


@pytest.fixture
def project(tmp_path: Path) -> BehaveProject:
    """A behave project whose `test` environment has no server: the mock plays it."""
    env = {"WSBDD_SERVER": "none", "WSBDD_URL": "ws://127.0.0.1:9/", "WSBDD_TIMEOUT": "2 s"}
    return BehaveProject(tmp_path / "project", env)
