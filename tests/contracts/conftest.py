"""Fixtures: the shared reference server and behave projects (from tests/features)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.features.conftest import project, reference_server
from wsbdd.server.managed import ManagedServer

__all__ = ["bad_schema_server", "project", "reference_server"]


@pytest.fixture(scope="module")
def bad_schema_server() -> Iterator[ManagedServer]:
    """A reference server whose ``order.created`` carries ``qty`` as a string."""
    with ManagedServer.embedded(["--bug", "bad_schema"]) as server:
        yield server
