"""Fixtures for feature-level tests: one reference server, temporary behave projects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.features.harness import BehaveProject, server_env
from wsbdd.server.managed import ManagedServer


@pytest.fixture(scope="session")
def reference_server() -> Iterator[ManagedServer]:
    """The reference server, shared by every feature test of the session."""
    with ManagedServer.embedded(["--ping-interval", "1", "--ping-timeout", "1"]) as server:
        yield server


@pytest.fixture
def project(tmp_path: Path, reference_server: ManagedServer) -> BehaveProject:
    """A behave project whose `test` environment targets the shared reference server."""
    return BehaveProject(tmp_path / "project", server_env(reference_server))
