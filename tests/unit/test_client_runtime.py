"""Client runtime helpers that need no server: inbox consumption, waiting, bounds."""

from __future__ import annotations

import asyncio
import math

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Response

from wsbdd.core.records import Message
from wsbdd.runtime import Client, ClientManager, ConnectRequest
from wsbdd.runtime._wakeup import wait_for_change, wake
from wsbdd.runtime.crowd import (
    CLOSE_CONCURRENCY,
    CLOSE_SETTLE,
    Crowd,
    CrowdExchange,
    closing_bound,
)
from wsbdd.runtime.transports.ws_options import connect_kwargs, status_line

URL = "ws://127.0.0.1:9/ws"


def client_with_inbox(count: int, name: str = "A") -> Client:
    client = Client(name, ConnectRequest(URL))
    for i in range(count):
        msg = Message.parse(name, i, f'{{"n": {i}}}', float(i))
        client.received.append(msg)
        client.inbox.append(msg)
    return client


# -- consuming messages ------------------------------------------------------------


def test_consume_removes_exactly_that_message() -> None:
    client = client_with_inbox(5)
    third = client.inbox[2]
    client.consume(third)
    assert [m.index for m in client.inbox] == [0, 1, 3, 4]
    client.consume(third)  # already consumed: nothing else goes
    assert [m.index for m in client.inbox] == [0, 1, 3, 4]


def test_consume_ignores_an_equal_index_from_another_client() -> None:
    client = client_with_inbox(3)
    stranger = client_with_inbox(3, name="B").inbox[1]
    client.consume(stranger)
    assert [m.index for m in client.inbox] == [0, 1, 2]


def test_consuming_every_other_message_of_a_large_inbox() -> None:
    client = client_with_inbox(10_000)
    for msg in client.received[::2]:
        client.consume(msg)
    assert [m.index for m in client.inbox] == list(range(1, 10_000, 2))


def test_consume_many_removes_the_given_messages_only() -> None:
    client = client_with_inbox(6)
    stranger = client_with_inbox(6, name="B").inbox[4]
    client.consume_many([client.inbox[0], client.inbox[3], stranger])
    assert [m.index for m in client.inbox] == [1, 2, 4, 5]
    inbox = client.inbox
    client.consume_many([])
    assert client.inbox is inbox and len(inbox) == 4  # the same list, kept in place


# -- waiting for a change ---------------------------------------------------------------


def test_wait_for_change_runs_the_probe_first() -> None:
    async def scenario() -> int | None:
        return await wait_for_change([], lambda: 7, 0.0)

    assert asyncio.run(scenario()) == 7


def test_wait_for_change_returns_the_first_result_after_wakes() -> None:
    async def scenario() -> tuple[int | None, int, list[asyncio.Future[None]]]:
        loop = asyncio.get_running_loop()
        waiters: list[asyncio.Future[None]] = []
        state = {"n": 0, "probes": 0}

        def probe() -> int | None:
            state["probes"] += 1
            if state["n"] >= 3:
                return state["n"]
            state["n"] += 1
            loop.call_soon(wake, waiters)  # a change right after the waiter is added
            return None

        result = await wait_for_change(waiters, probe, 5.0)
        return result, state["probes"], waiters

    result, probes, waiters = asyncio.run(scenario())
    assert result == 3
    assert probes == 4  # once up front, once per wake
    assert waiters == []


def test_wait_for_change_gives_none_at_the_deadline_and_leaves_no_waiter() -> None:
    async def scenario() -> tuple[object, float, list[asyncio.Future[None]]]:
        waiters: list[asyncio.Future[None]] = []
        loop = asyncio.get_running_loop()
        start = loop.time()
        result = await wait_for_change(waiters, lambda: None, 0.05)
        return result, loop.time() - start, waiters

    result, waited, waiters = asyncio.run(scenario())
    assert result is None
    assert waited >= 0.05
    assert waiters == []


def test_a_probes_own_timeout_error_propagates() -> None:
    calls = {"n": 0}

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        waiters: list[asyncio.Future[None]] = []

        def probe() -> None:
            calls["n"] += 1
            if calls["n"] > 1:
                raise TimeoutError("the probe's own")
            loop.call_soon(wake, waiters)

        await wait_for_change(waiters, probe, 5.0)

    with pytest.raises(TimeoutError, match="the probe's own"):
        asyncio.run(scenario())
    assert calls["n"] == 2


# -- connect options --------------------------------------------------------------------


def test_connect_kwargs_carry_max_queue_and_an_optional_factory() -> None:
    req = ConnectRequest(URL, max_queue=3)
    shared = connect_kwargs(req, None, None)
    assert shared["max_queue"] == 3
    assert "create_connection" not in shared and "ssl" not in shared


def test_status_line_names_a_rejected_handshake() -> None:
    assert status_line(Response(503, "Service Unavailable", Headers())) == (
        "HTTP 503 Service Unavailable"
    )
    assert status_line(Response(599, "", Headers())) == "HTTP 599"


# -- bounds -------------------------------------------------------------------------------


def crowd(size: int, *, close_timeout: float = 2.0, greeting: int = 1) -> Crowd:
    exchange = CrowdExchange(text="{}", what="subscription", ack=lambda _: True)
    return Crowd(
        ConnectRequest(URL, open_timeout=3.0, close_timeout=close_timeout),
        size,
        greeting=[exchange] * greeting,
        ack_timeout=0.5,
        confirm_window=0.25,
    )


def test_crowd_open_and_cycle_bounds_count_waves() -> None:
    c = crowd(10)
    assert c.open_bound(1000, 200) == pytest.approx(5 * (3.0 + 0.5) + 0.25)
    assert c.cycle_bound(1000, 300) == pytest.approx(4 * (3.0 + 0.5 + 2.0 + CLOSE_SETTLE))


def test_crowd_close_and_reconnect_bounds() -> None:
    c = crowd(2500)
    waves = math.ceil(2500 / CLOSE_CONCURRENCY)
    assert c.close_bound() == pytest.approx(waves * (2.0 + CLOSE_SETTLE))
    assert c.reconnect_bound() == pytest.approx(c.close_bound() + 3.0 + 0.5 + 0.25)


def test_closing_bound_of_several_crowds_uses_their_total_and_slowest_close() -> None:
    crowds = [crowd(CLOSE_CONCURRENCY, close_timeout=1.0), crowd(1, close_timeout=4.0)]
    assert closing_bound(crowds) == pytest.approx(2 * (4.0 + CLOSE_SETTLE))
    assert closing_bound([]) == 0.0


def test_send_duration_paces_frames_after_the_first() -> None:
    assert ClientManager.send_duration(["a", "b", "c", "d", "e"], 2.0) == 2.0
    assert ClientManager.send_duration(["a", "b"], None) == 0.0
    assert ClientManager.send_duration([], 5.0) == 0.0
