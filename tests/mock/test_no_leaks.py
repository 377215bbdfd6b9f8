"""Nothing leaks: scenario after scenario of a mock server and an app leave no task,
socket, thread or process behind."""

from __future__ import annotations

import asyncio
import threading

import psutil

from tests.mock.conftest import PROBE, StubSession
from wsbdd.mock.ops import MockOps
from wsbdd.runtime import Clients


def loop_tasks(clients: Clients) -> list[asyncio.Task[object]]:
    async def tasks() -> list[asyncio.Task[object]]:
        me = asyncio.current_task()
        return [t for t in asyncio.all_tasks() if t is not me]

    return clients.loop.run(tasks(), 5)


def test_twenty_mock_scenarios_leak_nothing() -> None:
    me = psutil.Process()
    threads_before = threading.active_count()
    # other tests' session-wide servers may be children of this process already
    children_before = {child.pid for child in me.children(recursive=True)}
    with Clients() as clients:
        clients.loop.start()
        fds_before = me.num_fds()
        for scenario in range(20):
            mock = MockOps(StubSession(clients))
            mock.start(None, ())
            mock.greet('{"type": "welcome"}')
            mock.start_app(f"python {PROBE} ${{mock_url}}")
            mock.assert_connections(1, 5.0)
            mock.assert_receives('{"type": "hello"}', 2.0)
            if scenario % 2:
                mock.drop_all()
            server = mock.server
            assert server is not None
            mock.close()  # the app and its connection are still up: teardown ends both
            assert mock.apps[0].returncode is not None
            closed = server.record.connections[0].closed
            assert closed is not None
            assert closed.code == (1006 if scenario % 2 else 1001), closed
        assert loop_tasks(clients) == []
        assert [c for c in me.children(recursive=True) if c.pid not in children_before] == []
        assert me.num_fds() <= fds_before + 2
        assert threading.active_count() == threads_before + 1  # the loop thread
    assert threading.active_count() == threads_before
