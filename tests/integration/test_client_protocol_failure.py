"""A server that breaks the protocol: wsbdd fails the connection at once and says why.

websockets fails such a connection (sends 1002 or 1007) but, as a client,
then waits for the server to close TCP, which a hostile server never does;
the client must not stay "open" until some later call.
"""

from __future__ import annotations

import pytest
from fixture_servers import ServerThread, hold
from websockets.asyncio.server import ServerConnection

from wsbdd.core.records import CloseInfo, now
from wsbdd.runtime import Client, ClientManager, Clients, ConnectRequest
from wsbdd.runtime.crowd import Crowd, CrowdReport

# Raw frames (server to client: never masked).
INVALID_FRAMES = {
    "code 1005 on the wire": (b"\x88\x02\x03\xed", 1002, "status code"),
    "code 999": (b"\x88\x02\x03\xe7", 1002, "status code"),
    "a reason over 123 bytes": (b"\x88\x7e\x00\x7e\x03\xe8" + b"r" * 124, 1002, "too long"),
    "a reserved bit": (b"\xa1\x05hello", 1002, "reserved bit"),
    "invalid UTF-8 in the close reason": (b"\x88\x04\x03\xe8\xff\xfe", 1007, "invalid start byte"),
}


def closed(client: Client) -> CloseInfo | None:
    return client.close_info


def deaf(ws: ServerConnection) -> None:
    """Stop reading: the server never sees the client's close frame, never closes TCP."""
    ws.transport.pause_reading()


def _sends_raw(frame: bytes) -> object:
    async def handler(ws: ServerConnection) -> None:
        await ws.send('{"type": "hello"}')
        ws.transport.write(frame)
        deaf(ws)
        await hold(ws)

    return handler


@pytest.mark.parametrize("case", sorted(INVALID_FRAMES))
def test_an_invalid_frame_closes_the_client_at_once_with_the_code_it_sent(
    servers: ServerThread, clients: Clients, case: str
) -> None:
    frame, code, why = INVALID_FRAMES[case]
    srv = servers.websocket(_sends_raw(frame))  # type: ignore[arg-type]
    start = now()
    assert clients.connect("A", ConnectRequest(srv.url, close_timeout=5.0)).opened
    info = clients.wait("A", closed, 3.0)
    assert info is not None, "the client was left open after an invalid frame"
    # Well before the 5 s close timeout: wsbdd closed TCP itself.
    assert now() - start < 1.5
    assert (info.code, info.initiated_by, info.clean) == (code, "client", True), info
    assert why in info.reason.lower(), info
    client = clients.get("A")
    assert not client.is_open
    assert [m.payload for m in client.received] == [{"type": "hello"}]  # kept, before the close
    assert f"closed by the client with code {code}" in info.describe()


def test_invalid_utf8_in_a_text_frame_closes_at_once_with_1007(
    servers: ServerThread, clients: Clients
) -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.send(b"\xff\xfe not utf-8", text=True)
        deaf(ws)
        await hold(ws)

    srv = servers.websocket(handler)
    start = now()
    assert clients.connect("A", ConnectRequest(srv.url, close_timeout=5.0)).opened
    info = clients.wait("A", closed, 3.0)
    assert info is not None
    assert now() - start < 1.5, "the 1007 close waited for the close timeout"
    assert (info.code, info.initiated_by) == (1007, "client"), info
    assert "invalid start byte" in info.reason


def test_crowd_members_leave_a_server_that_breaks_the_protocol_at_once(
    servers: ServerThread, clients: Clients
) -> None:
    async def handler(ws: ServerConnection) -> None:
        ws.transport.write(INVALID_FRAMES["code 999"][0])
        deaf(ws)
        await hold(ws)

    srv = servers.websocket(handler)
    crowd = Crowd(ConnectRequest(srv.url, close_timeout=5.0), 5, settle=0.5)

    async def work(manager: ClientManager) -> CrowdReport:
        manager.add_crowd(crowd)
        report = await crowd.open()
        await crowd.wait_until(lambda: crowd.lost == 5, 3.0)
        return report

    start = now()
    report = clients.run(work, 10.0)
    assert now() - start < 2.0, "the members waited for the server to close"
    assert crowd.lost == 5
    assert report.failures == {'closed by the client with code 1002 "invalid status code"': 5}
