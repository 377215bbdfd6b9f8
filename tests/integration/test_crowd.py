"""The crowd runtime against the reference server (a subprocess): open, greet, cycle, storm."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import httpx
import pytest

from wsbdd.core.exceptions import UsageError
from wsbdd.core.records import now
from wsbdd.runtime import ClientManager, Clients, ConnectRequest
from wsbdd.runtime.crowd import Crowd, CrowdExchange, CrowdReport, Member, ensure_fd_limit
from wsbdd.server.managed import ManagedServer

T = TypeVar("T")


@pytest.fixture(scope="module")
def server() -> Iterator[ManagedServer]:
    srv = ManagedServer.embedded(["--ping-interval", "600"])
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def fragile() -> Iterator[ManagedServer]:
    """A fresh server per test: its storm window must start empty."""
    srv = ManagedServer.embedded(["--ping-interval", "600", "--bug", "fragile_under_storm"])
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def clients() -> Iterator[Clients]:
    with Clients() as facade:
        yield facade


def on_loop(
    clients: Clients,
    work: Callable[[ClientManager], Coroutine[Any, Any, T]],
    timeout: float = 30.0,
) -> T:
    return clients.run(work, timeout)


def request(server: ManagedServer, token: str | None = "carol-token") -> ConnectRequest:
    url = server.ws_url + (f"?token={token}" if token else "")
    return ConnectRequest(url, open_timeout=5.0)


def subscribe(channel: str) -> CrowdExchange:
    return CrowdExchange(
        text=json.dumps({"type": "subscribe", "channel": channel}),
        what=f"subscription to {channel}",
        ack=lambda p: p.get("type") == "subscribed" and p.get("channel") == channel,
        reject=lambda p: p.get("type") == "error" and p.get("channel") == channel,
    )


def opened(clients: Clients, crowd: Crowd, rate: float | None = None) -> CrowdReport:
    async def work(manager: ClientManager) -> CrowdReport:
        manager.add_crowd(crowd)
        return await crowd.open(rate)

    return on_loop(clients, work)


def metrics(server: ManagedServer) -> dict[str, Any]:
    payload: dict[str, Any] = httpx.get(f"{server.http_url}/metrics", timeout=5).json()
    return payload


def test_a_subscribed_crowd_receives_a_broadcast(server: ManagedServer, clients: Clients) -> None:
    crowd = Crowd(request(server), 200, concurrency=50, greeting=[subscribe("room:it-crowd")])
    report = opened(clients, crowd)
    assert (report.attempted, report.failed) == (200, 0), report.failures
    assert all(m.connected for m in crowd.members)
    # welcome + subscribed each; the frames were counted, not queued
    assert all(m.received == 2 for m in crowd.members), [m.received for m in crowd.members]

    alice = ConnectRequest(server.ws_url + "?token=alice-token")
    assert clients.connect("A", alice).opened
    clients.send_text("A", json.dumps({"type": "subscribe", "channel": "room:it-crowd"}))
    assert clients.wait("A", lambda c: c.received[-1] if len(c.received) >= 2 else None, 5)
    hi = {"type": "message", "channel": "room:it-crowd", "text": "hi"}
    sent = clients.send_text("A", json.dumps(hi))

    async def everyone_heard(manager: ClientManager) -> bool:
        # presence "alice joined" + the message, for every member
        return await crowd.wait_until(lambda: all(m.received >= 4 for m in crowd.members), 10)

    assert on_loop(clients, everyone_heard)
    assert crowd.received >= 200 * 4
    stamps = [m.last_at for m in crowd.members]
    assert all(at is not None and at >= sent for at in stamps)


def test_reset_closes_every_member_of_every_crowd(server: ManagedServer, clients: Clients) -> None:
    first = Crowd(request(server), 60)
    second = Crowd(request(server), 40)
    assert opened(clients, first).failed == 0
    assert opened(clients, second).failed == 0
    assert metrics(server)["connections"] >= 100

    clients.reset()

    members = first.members + second.members
    assert all(m.connection is not None and not m.connected for m in members)
    assert {m.close_phrase() for m in members} == {"closed by the client with code 1000"}
    assert on_loop(clients, lambda manager: _crowds_of(manager)) == []


async def _crowds_of(manager: ClientManager) -> list[Crowd]:
    return list(manager.crowds)


def test_members_the_server_closes_are_not_connected(
    server: ManagedServer, clients: Clients
) -> None:
    # The handshakes succeed, then the server closes every one: "connected"
    # means still open after the settle time, so the operation counts them.
    crowd = Crowd(request(server, token=None), 20, settle=0.3)
    report = opened(clients, crowd)
    assert report.failures == {'closed by the server with code 4401 "unauthorized"': 20}

    async def closed_and_checked(manager: ClientManager) -> list[Member]:
        assert await crowd.wait_until(lambda: crowd.lost == 20, 5), crowd.lost
        return await crowd.wait_connected(1.0)

    missing = on_loop(clients, closed_and_checked)
    assert len(missing) == 20
    assert {m.problem() for m in missing} == {'closed by the server with code 4401 "unauthorized"'}


def test_a_rejected_subscription_is_a_counted_failure(
    server: ManagedServer, clients: Clients
) -> None:
    crowd = Crowd(request(server), 30, greeting=[subscribe("user:alice:private")])
    report = opened(clients, crowd)
    assert report.failed == 30
    [(reason, count)] = report.failures.items()
    assert count == 30
    assert reason.startswith("subscription to user:alice:private was rejected: ")
    assert '"code":"forbidden"' in reason.replace(" ", "")
    assert not any(m.connected for m in crowd.members)


def test_a_missing_ack_times_out_with_the_reason(server: ManagedServer, clients: Clients) -> None:
    never = CrowdExchange(
        text=json.dumps({"type": "ping"}), what="ping", ack=lambda p: p.get("type") == "never"
    )
    crowd = Crowd(request(server), 10, greeting=[never], ack_timeout=0.3)
    report = opened(clients, crowd)
    assert report.failures == {"no confirmation of its ping within 300 ms": 10}


def test_connect_and_disconnect_cycles(server: ManagedServer, clients: Clients) -> None:
    before = metrics(server)["handshakes"]
    crowd = Crowd(request(server), 0)

    async def cycle(manager: ClientManager) -> CrowdReport:
        manager.add_crowd(crowd)
        return await crowd.cycle(300, 50)

    report = on_loop(clients, cycle)
    assert (report.attempted, report.failed) == (300, 0), report.failures
    assert report.rate > 0
    assert metrics(server)["handshakes"] - before >= 300
    assert not crowd._transient  # every cycle's connection was closed and forgotten


def test_cycles_in_a_storm_count_503s(fragile: ManagedServer, clients: Clients) -> None:
    crowd = Crowd(request(fragile), 0)

    async def cycle(manager: ClientManager) -> CrowdReport:
        manager.add_crowd(crowd)
        return await crowd.cycle(300, 150)

    report = on_loop(clients, cycle)
    assert report.failed > 0
    assert set(report.failures) == {"HTTP 503 Service Unavailable"}
    assert "× HTTP 503 Service Unavailable" in report.describe_failures()


def test_a_reconnect_storm_against_a_fragile_server_fails(
    fragile: ManagedServer, clients: Clients
) -> None:
    crowd = Crowd(request(fragile), 150, greeting=[subscribe("room:storm")])
    assert opened(clients, crowd, rate=60).failed == 0  # a ramp-up the server survives

    async def storm(manager: ClientManager) -> tuple[CrowdReport, list[Member]]:
        report = await crowd.reconnect()
        return report, await crowd.wait_connected(5.0)

    report, missing = on_loop(clients, storm)
    assert report.operation == "reconnect"
    assert report.failed == len(missing) > 0
    assert {m.problem() for m in missing} == {"HTTP 503 Service Unavailable"}


def test_a_reconnect_storm_against_a_sound_server_recovers(
    server: ManagedServer, clients: Clients
) -> None:
    crowd = Crowd(request(server), 150, greeting=[subscribe("room:calm")])
    assert opened(clients, crowd).failed == 0
    old = [m.connection for m in crowd.members]

    async def storm(manager: ClientManager) -> tuple[CrowdReport, list[Member]]:
        report = await crowd.reconnect()
        return report, await crowd.wait_connected(5.0)

    started = now()
    report, missing = on_loop(clients, storm)
    assert report.failed == 0 and missing == []
    assert all(m.connection is not c for m, c in zip(crowd.members, old, strict=True))
    assert all(c is not None and c.state.name != "OPEN" for c in old)
    assert all(m.opened_at is not None and m.opened_at >= started for m in crowd.members)


def test_too_many_connections_for_the_file_limit_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="ulimit -n"):
        ensure_fd_limit(10**8)
