"""Big loopback crowds spread their source addresses over 127.0.0.x."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import pytest

from wsbdd.runtime import _sources
from wsbdd.runtime._sources import source_address
from wsbdd.runtime.crowd import Crowd
from wsbdd.runtime.request import ConnectRequest
from wsbdd.server.managed import ManagedServer


def test_small_or_remote_crowds_keep_the_default_source() -> None:
    assert source_address("ws://127.0.0.1:80/ws", 24_999, 25_000) is None
    assert source_address("ws://example.com/ws", 40_000, 50_000) is None
    assert source_address("ws://[::1]:80/ws", 40_000, 50_000) is None


def test_members_past_each_block_take_the_next_address() -> None:
    assert source_address("ws://127.0.0.1:80/ws", 0, 50_000) == ("127.0.0.1", 0)
    assert source_address("ws://localhost:80/ws", 25_000, 50_000) == ("127.0.0.2", 0)
    assert source_address("ws://127.0.0.1:80/ws", 49_999, 50_000) == ("127.0.0.2", 0)


@pytest.fixture(scope="module")
def server() -> Iterator[ManagedServer]:
    with ManagedServer.embedded() as running:
        yield running


def test_a_crowd_slice_binds_the_addresses_of_its_place_in_the_whole(
    server: ManagedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sources, "PER_ADDRESS", 4)
    assert server.ws_url is not None
    request = ConnectRequest(f"{server.ws_url}?token=carol-token", open_timeout=5.0)

    async def run() -> Counter[str]:
        # members 6..11 of a crowd of 12: addresses .2 (6, 7) and .3 (8..11)
        crowd = Crowd(request, 6, first_index=6, whole_size=12)
        report = await crowd.open()
        assert report.failed == 0, report.failures
        used = Counter(
            m.connection.transport.get_extra_info("sockname")[0]
            for m in crowd.members
            if m.connection is not None
        )
        await crowd.close()
        return used

    assert asyncio.run(run()) == Counter({"127.0.0.2": 2, "127.0.0.3": 4})
