"""Fixtures: one fixture-server thread with a chat server per codec."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.codecs.codec_servers import codec_server
from tests.features.harness import BehaveProject
from tests.integration.fixture_servers import FixtureServer, ServerThread


@pytest.fixture(scope="module")
def servers() -> Iterator[ServerThread]:
    thread = ServerThread()
    try:
        yield thread
    finally:
        thread.close()


@pytest.fixture(scope="module")
def msgpack_server(servers: ServerThread) -> FixtureServer:
    return codec_server(servers, "msgpack")


@pytest.fixture(scope="module")
def cbor_server(servers: ServerThread) -> FixtureServer:
    return codec_server(servers, "cbor")


@pytest.fixture(scope="module")
def protobuf_server(servers: ServerThread) -> FixtureServer:
    return codec_server(servers, "protobuf")


def project_for(tmp_path: Path, server: FixtureServer, **env: str) -> BehaveProject:
    """A behave project whose `test` environment targets ``server``."""
    return BehaveProject(
        tmp_path / "p",
        {"WSBDD_SERVER": "none", "WSBDD_URL": server.url, "WSBDD_TIMEOUT": "1 s", **env},
    )
