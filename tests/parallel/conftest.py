"""Fixtures of the parallel-run tests: temporary projects run with ``wsbdd run``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.features.conftest import reference_server  # noqa: F401  (the shared server)
from tests.features.harness import BehaveProject, server_env
from tests.parallel.projects import WsbddProject
from wsbdd.server.managed import ManagedServer


@pytest.fixture
def project(tmp_path: Path, reference_server: ManagedServer) -> WsbddProject:  # noqa: F811
    """A project whose `test` environment targets the shared reference server."""
    return WsbddProject(BehaveProject(tmp_path / "project", server_env(reference_server)))
