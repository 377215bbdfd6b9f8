"""Fixtures for feature-level tests: one reference server, temporary behave projects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.features.harness import BehaveProject
from wsbdd.server.managed import ManagedServer

TOKENS = {
    "WSBDD_TOKEN_ALICE": "alice-token",
    "WSBDD_TOKEN_BOB": "bob-token",
    "WSBDD_TOKEN_CAROL": "carol-token",
}


@pytest.fixture(scope="session")
def reference_server() -> Iterator[ManagedServer]:
    """The reference server, shared by every feature test of the session."""
    server = ManagedServer.embedded(["--ping-interval", "1", "--ping-timeout", "1"])
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def project(tmp_path: Path, reference_server: ManagedServer) -> BehaveProject:
    """A behave project whose `test` environment targets the shared reference server."""
    return BehaveProject(
        tmp_path / "project",
        {
            "WSBDD_SERVER": "none",
            "WSBDD_URL": reference_server.ws_url,
            "WSBDD_HTTP_URL": reference_server.http_url,
            "WSBDD_TIMEOUT": "1 s",
            **TOKENS,
        },
    )
