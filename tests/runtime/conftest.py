"""Runtime tests on the fake transport: any attempt to open a socket fails the test.

The event loop is made first (its self-pipe is a socket pair), then
``socket.socket`` is patched to raise until the test ends.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest


class _NoSocket(socket.socket):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("a runtime test on the fake transport opened a socket")


@pytest.fixture
def loop(monkeypatch: pytest.MonkeyPatch) -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh event loop; while the test runs, creating a socket raises."""
    new = asyncio.new_event_loop()
    with monkeypatch.context() as patch:
        patch.setattr(socket, "socket", _NoSocket)
        yield new
    new.close()
