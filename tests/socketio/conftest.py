"""Fixtures: both Socket.IO reference servers (Python and Node), once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.socketio.servers import KINDS, NODE_INSTALLED, RunningServer, start

PING_INTERVAL = 0.3
"""Seconds between the servers' Engine.IO pings (short, so ping tests are quick)."""


@pytest.fixture(scope="session", params=KINDS)
def sio_server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    """A running reference server: the python-socketio app, then the Node socket.io one."""
    kind = str(request.param)
    if kind == "node" and not NODE_INSTALLED:
        if os.environ.get("CI"):
            raise RuntimeError("CI must install tests/socketio/node_server (npm ci in .ci/run)")
        pytest.skip("node or socket.io is missing: npm ci --prefix tests/socketio/node_server")
    server = start(kind, PING_INTERVAL)
    yield server
    server.stop()
