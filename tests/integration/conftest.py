"""Fixtures shared by the client-runtime integration tests.

``servers`` runs the fixture WebSocket servers (:mod:`fixture_servers`) on
their own thread; ``runtime`` is one :class:`Clients` facade per module and
``clients`` hands it to a test, resetting it afterwards so every test starts
with no client.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixture_servers import ServerThread

from wsbdd.runtime import Clients


@pytest.fixture(scope="module")
def servers() -> Iterator[ServerThread]:
    thread = ServerThread()
    yield thread
    thread.close()


@pytest.fixture(scope="module")
def runtime() -> Iterator[Clients]:
    with Clients() as clients:
        yield clients


@pytest.fixture
def clients(runtime: Clients) -> Iterator[Clients]:
    yield runtime
    runtime.reset()
