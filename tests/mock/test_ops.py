"""MockOps without behave: the count check, a wrong path, through the run's loop."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.mock.conftest import StubSession
from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.mock.ops import MockOps
from wsbdd.runtime import Clients


def test_more_connections_than_expected_fail_and_a_wrong_path_gets_404() -> None:
    with Clients() as clients:
        mock = MockOps(StubSession(clients))
        url = mock.start("/ws", ())

        async def two_and_a_stray() -> list[object]:
            first = await connect(f"{url}?client=a")
            second = await connect(f"{url}?client=b")
            with pytest.raises(InvalidStatus) as stray:
                await connect(url.replace("/ws", "/other"))
            return [first, second, stray.value.response.status_code]

        first, second, status = clients.loop.run(two_and_a_stray(), 10)
        assert status == 404
        with pytest.raises(ExpectationFailed) as failed:
            mock.assert_connections(1, 1.0)
        text = str(failed.value)
        assert text.startswith("the mock server has 2 open connections, expected 1\n"), text
        assert "3 connection attempts" in text and "#2 /other refused with status 404" in text
        mock.assert_connections(2, 1.0)

        async def close() -> None:
            await asyncio.gather(first.close(), second.close())  # type: ignore[attr-defined]

        clients.loop.run(close(), 10)
        mock.close()
