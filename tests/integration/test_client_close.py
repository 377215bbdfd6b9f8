"""How connections end: server close, TCP cut, client close, drop, send after close."""

from __future__ import annotations

import pytest
from fixture_servers import FixtureServer, ServerThread, echo, hold
from websockets.asyncio.server import ServerConnection

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.records import CloseInfo, now
from wsbdd.runtime import Client, Clients, ConnectRequest


def closed(client: Client) -> CloseInfo | None:
    return client.close_info


def connected(servers: ServerThread, clients: Clients, srv: FixtureServer) -> ServerConnection:
    assert clients.connect("A", ConnectRequest(srv.url)).opened
    return servers.connection(srv)


def test_server_close_recorded_and_send_fails(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)
    servers.run(ws.send('{"bye": 1}'))
    before = now()
    servers.run(ws.close(4401, "unauthorized"))
    info = clients.wait("A", closed, 3.0)
    assert info == CloseInfo(4401, "unauthorized", "server", True, info.at if info else 0)
    assert info is not None and before <= info.at <= now()
    client = clients.get("A")
    assert len(client.received) == 1  # the message before the close is kept
    assert not client.is_open
    with pytest.raises(ExpectationFailed) as failure:
        clients.send_text("A", "hello?")
    assert str(failure.value) == (
        'client A cannot send: it was closed by the server with code 4401 "unauthorized"'
    )
    kinds = [e.kind for e in client.transcript]
    assert kinds == ["open", "text", "close"]


def test_tcp_cut_by_server_is_1006_unclean(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)

    async def cut() -> None:
        ws.transport.abort()

    servers.run(cut())
    info = clients.wait("A", closed, 3.0)
    assert info is not None
    assert (info.code, info.clean, info.initiated_by) == (1006, False, "network")
    with pytest.raises(ExpectationFailed, match="cut without a close frame"):
        clients.send_text("A", "x")


def test_client_close_with_code_and_reason(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    connected(servers, clients, srv)
    clients.close("A", 4000, "bye")
    info = clients.get("A").close_info
    assert info is not None
    assert (info.code, info.reason, info.initiated_by, info.clean) == (4000, "bye", "client", True)
    servers.run(srv.until(lambda: len(srv.closes) == 1))
    assert (srv.closes[0].code, srv.closes[0].reason) == (4000, "bye")
    clients.close("A")  # idempotent
    with pytest.raises(ExpectationFailed, match='closed by the client with code 4000 "bye"'):
        clients.send_text("A", "x")


def test_close_with_invalid_code_is_usage_error(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    connected(servers, clients, srv)
    with pytest.raises(UsageError, match="cannot close with code 999"):
        clients.close("A", 999)
    assert clients.get("A").is_open


def test_drop_cuts_tcp_without_close_frame(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    connected(servers, clients, srv)
    clients.drop("A")
    info = clients.get("A").close_info
    assert info is not None
    assert (info.code, info.initiated_by, info.clean) == (1006, "client", False)
    servers.run(srv.until(lambda: len(srv.closes) == 1))
    assert srv.closes[0].code == 1006 and not srv.closes[0].rcvd
    with pytest.raises(ExpectationFailed, match="dropped its connection"):
        clients.send_binary("A", b"x")
    assert [e.kind for e in clients.get("A").transcript][-2:] == ["drop", "close"]


def test_wait_wakes_on_close(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(hold)
    ws = connected(servers, clients, srv)

    async def close_later() -> None:
        ws.loop.call_later(0.2, lambda: ws.loop.create_task(ws.close(1001, "going away")))

    started = now()
    servers.run(close_later())
    # A probe waiting for a message that will never come sees the close instead.
    outcome = clients.wait("A", lambda c: c.received or c.close_info, 5.0)
    assert isinstance(outcome, CloseInfo) and outcome.code == 1001
    assert now() - started < 2.0


def test_close_times_out_then_aborts(servers: ServerThread, clients: Clients) -> None:
    # A server that completes the handshake, then never answers the close.
    srv = servers.websocket(echo)
    assert clients.connect("A", ConnectRequest(srv.url, close_timeout=0.3)).opened
    ws = servers.connection(srv)

    async def deafen() -> None:
        ws.transport.pause_reading()

    servers.run(deafen())
    started = now()
    clients.close("A", 1000)
    assert now() - started < 2.0
    info = clients.get("A").close_info
    assert info is not None and (info.code, info.clean, info.initiated_by) == (
        1006,
        False,
        "client",
    )
