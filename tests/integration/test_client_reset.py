"""Nothing leaks: reset() and shutdown leave no task, socket or thread behind."""

from __future__ import annotations

import asyncio
import threading

import psutil
import pytest
from fixture_servers import ServerThread, echo, hold

from wsbdd.core.records import now
from wsbdd.runtime import ClientManager, Clients, ConnectRequest, LoopThread


def loop_tasks(clients: Clients) -> list[asyncio.Task[object]]:
    """Tasks on the client loop other than the one asking."""

    async def tasks() -> list[asyncio.Task[object]]:
        me = asyncio.current_task()
        return [t for t in asyncio.all_tasks() if t is not me]

    return clients.loop.run(tasks(), 5)


def tcp_count() -> int:
    return len(psutil.Process().net_connections(kind="tcp"))


def test_two_hundred_scenarios_leak_nothing(servers: ServerThread) -> None:
    srv = servers.websocket(echo)
    threads_before = threading.active_count()
    fds_before = psutil.Process().num_fds()
    with Clients() as clients:
        tcp_before = tcp_count()
        for scenario in range(200):
            for name in ("A", "B", "C"):
                assert clients.connect(name, ConnectRequest(srv.url)).opened
            clients.send_text("A", f'{{"scenario": {scenario}}}')
            clients.send_binary("B", b"\x01")
            assert clients.wait("A", lambda c: c.received or None, 2.0)
            assert clients.wait("B", lambda c: c.received or None, 2.0)
            if scenario % 3 == 0:
                clients.drop("C")
            elif scenario % 3 == 1:
                clients.stop_reading("C")
            clients.reset()
            assert clients.names() == []
            assert clients.last_trigger is None
        assert loop_tasks(clients) == []
        # Our client sockets are closed (server-side ones close when their
        # handlers end: wait for the server to have seen every close).
        servers.run(srv.until(lambda: len(srv.closes) == 600), 20)
        assert tcp_count() == tcp_before
        assert threading.active_count() == threads_before + 1  # the loop thread
    assert threading.active_count() == threads_before
    assert psutil.Process().num_fds() <= fds_before + 2


def test_reset_with_a_crowd_is_quick_and_clean(servers: ServerThread) -> None:
    srv = servers.websocket(hold)
    size = 1000

    async def crowd(manager: ClientManager) -> int:
        request = ConnectRequest(srv.url, compression=None)
        clients = await asyncio.gather(*(manager.connect(f"c{i}", request) for i in range(size)))
        return sum(c.result.opened for c in clients)

    with Clients() as clients:
        tcp_before = tcp_count()
        assert clients.run(crowd, 60) == size
        assert len(clients.names()) == size
        started = now()
        clients.reset()
        took = now() - started
        assert took < 5.0, f"reset of {size} clients took {took:.2f} s"
        assert loop_tasks(clients) == []
        servers.run(srv.until(lambda: len(srv.closes) == size), 20)
        assert tcp_count() == tcp_before
        print(f"\nreset of {size} clients took {took * 1000:.0f} ms")


def test_reset_cancels_spawned_tasks_and_pending_waits(servers: ServerThread) -> None:
    srv = servers.websocket(hold)
    with Clients() as clients:
        assert clients.connect("A", ConnectRequest(srv.url)).opened

        async def spawn(manager: ClientManager) -> None:
            manager.spawn(asyncio.sleep(3600), name="forever")

        clients.run(spawn, 5)
        assert [t.get_name() for t in loop_tasks(clients)] == ["forever", "wsbdd-reader-A"] or [
            t.get_name() for t in loop_tasks(clients)
        ] == ["wsbdd-reader-A", "forever"]
        clients.reset()
        assert loop_tasks(clients) == []


def test_shutdown_stops_the_loop_thread() -> None:
    before = threading.active_count()
    clients = Clients()
    assert clients.loop.running and threading.active_count() == before + 1
    clients.close()  # no name: end of run
    assert not clients.loop.running
    assert threading.active_count() == before
    clients.close()  # twice is fine


def test_loop_thread_run_timeout_cancels() -> None:
    loop = LoopThread("t")
    cancelled = threading.Event()

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    try:
        started = now()
        with pytest.raises(TimeoutError):
            loop.run(forever(), timeout=0.2)
        assert now() - started < 1.5
        assert cancelled.wait(2)

        async def own_timeout() -> None:
            raise TimeoutError("mine")

        with pytest.raises(TimeoutError, match="mine"):
            loop.run(own_timeout(), timeout=5)
    finally:
        loop.stop()
    assert not loop.running


def test_loop_thread_run_hands_back_results_errors_and_cancellations() -> None:
    loop = LoopThread("t")

    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def broken() -> None:
        raise ValueError("from the loop")

    async def cancelled_on_the_loop() -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        await asyncio.sleep(1)

    try:
        assert [loop.run(answer(), 5) for _ in range(3)] == [42, 42, 42]
        with pytest.raises(ValueError, match="from the loop"):
            loop.run(broken(), 5)
        with pytest.raises(TimeoutError, match="cancelled on the loop"):
            loop.run(cancelled_on_the_loop(), 5)
        assert loop.run(answer()) == 42  # no timeout: waits as long as it takes
    finally:
        loop.stop()
