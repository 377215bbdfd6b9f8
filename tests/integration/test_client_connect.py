"""Connect outcomes, handshake records, subprotocols, replacement, usage errors."""

from __future__ import annotations

import shutil
from http import HTTPStatus
from pathlib import Path

import pytest
from fixture_servers import ServerThread, closed_port, echo
from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from tests.tls_files import private_ca, server_context
from wsbdd.core.exceptions import ConfigError, ExpectationFailed, UnknownClient, UsageError
from wsbdd.core.records import ConnectOutcome
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import Clients, ConnectRequest


def test_open_records_handshake(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(echo)
    result = clients.connect("A", ConnectRequest(srv.url, headers=[("X-Trace", "t-1")]))
    assert result.opened and result.outcome is ConnectOutcome.OPEN
    assert result.handshake.status == 101
    assert result.handshake.url == srv.url
    assert ("X-Trace", "t-1") in result.handshake.request_headers
    names = {k.lower() for k, _ in result.handshake.response_headers}
    assert "sec-websocket-accept" in names
    assert result.handshake.subprotocol is None
    assert 0 < result.elapsed < 2
    client = clients.get("A")
    assert client.is_open and client.result is result
    assert clients.names() == ["A"]
    assert [e.kind for e in client.transcript] == ["open"]


def test_rejected_with_status_and_headers_redacted(servers: ServerThread, clients: Clients) -> None:
    def reject(ws: ServerConnection, request: Request) -> Response:
        response = ws.respond(HTTPStatus.FORBIDDEN, "invalid token\n")
        response.headers["X-Why"] = "bad-token"
        return response

    srv = servers.websocket(echo, process_request=reject)
    request = ConnectRequest(
        srv.url + "/ws?token=s3cr3t-token&room=1",
        headers=[("Authorization", "Bearer s3cr3t-token"), ("X-Echo", "s3cr3t-token")],
        secrets=["s3cr3t-token"],
    )
    result = clients.connect("A", request)
    assert result.outcome is ConnectOutcome.REJECTED
    assert result.handshake.status == 403
    assert ("X-Why", "bad-token") in result.handshake.response_headers
    assert "invalid token" in result.detail and "403" in result.detail
    dump = repr(result) + repr(clients.get("A").transcript)
    assert "s3cr3t-token" not in dump
    assert "room=1" in result.handshake.url
    with pytest.raises(ExpectationFailed, match=r"client A cannot send: .*handshake rejected"):
        clients.send_text("A", "hi")


def test_refused(clients: Clients) -> None:
    result = clients.connect("A", ConnectRequest(f"ws://127.0.0.1:{closed_port()}/"))
    assert result.outcome is ConnectOutcome.REFUSED
    assert result.detail
    assert not clients.get("A").is_open


def test_timed_out_when_server_never_answers(servers: ServerThread, clients: Clients) -> None:
    url, writers = servers.silent_tcp()
    result = clients.connect("A", ConnectRequest(url, open_timeout=0.5))
    assert result.outcome is ConnectOutcome.TIMED_OUT
    assert 0.45 <= result.elapsed < 1.5
    assert len(writers) == 1
    assert result.detail == "the connect timeout is 500 ms"


def test_subprotocol_negotiated(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(echo, subprotocols=["chat.v2", "chat.v1"])
    result = clients.connect("A", ConnectRequest(srv.url, subprotocols=["chat.v2", "chat.v1"]))
    assert result.opened
    assert result.handshake.subprotocol == "chat.v2"
    assert clients.get("A").subprotocol == "chat.v2"
    plain = servers.websocket(echo)
    result = clients.connect("B", ConnectRequest(plain.url, subprotocols=["chat.v2"]))
    assert result.opened and result.handshake.subprotocol is None
    assert clients.get("B").subprotocol is None


def test_unoffered_subprotocol_fails(servers: ServerThread, clients: Clients) -> None:
    def choose(ws: ServerConnection, offered: list[str]) -> str:
        return "graphql-ws"  # never offered by the client

    srv = servers.websocket(echo, select_subprotocol=choose)
    result = clients.connect("A", ConnectRequest(srv.url, subprotocols=["chat.v1"]))
    assert result.outcome is ConnectOutcome.FAILED
    assert "graphql-ws" in result.detail


def test_origin_sent(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(echo)
    result = clients.connect("A", ConnectRequest(srv.url, origin="https://evil.example"))
    assert ("Origin", "https://evil.example") in result.handshake.request_headers
    assert servers.run(_origin(servers.connection(srv))) == "https://evil.example"


async def _origin(ws: ServerConnection) -> str | None:
    assert ws.request is not None
    return ws.request.headers.get("Origin")


def test_reconnect_replaces_and_closes_old(servers: ServerThread, clients: Clients) -> None:
    srv = servers.websocket(echo)
    clients.connect("A", ConnectRequest(srv.url))
    first = clients.get("A")
    clients.connect("A", ConnectRequest(srv.url))
    second = clients.get("A")
    assert first is not second and second.is_open
    assert first.close_info is not None and first.close_info.initiated_by == "client"
    servers.run(srv.until(lambda: len(srv.closes) == 1))
    assert srv.closes[0].code == 1000
    assert clients.names() == ["A"]


def test_unknown_client_and_bad_url(clients: Clients) -> None:
    with pytest.raises(UnknownClient, match="client Z is not connected"):
        clients.get("Z")
    with pytest.raises(UnknownClient):
        clients.send_text("Z", "x")
    with pytest.raises(UsageError, match="ws:// or wss://"):
        ConnectRequest("http://example.com/")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_wss_with_private_ca(servers: ServerThread, clients: Clients, tmp_path: Path) -> None:
    files = private_ca(tmp_path)
    ca_crt = files["ca.crt"]
    srv = servers.websocket(echo, ssl=server_context(files))
    url = srv.url.replace("ws://", "wss://")
    result = clients.connect("A", ConnectRequest(url, ca_file=ca_crt))
    assert result.opened, result
    clients.send_text("A", "over tls")
    assert clients.wait("A", lambda c: c.received or None, 2.0)
    big = "".join(f"{i:06d}" for i in range(50_000))  # 300 KB: many TLS records and reads
    clients.send_text("A", big)
    echoed = clients.wait("A", lambda c: True if len(c.received) == 2 else None, 5.0)
    assert echoed and clients.get("A").received[1].data == big
    result = clients.connect("B", ConnectRequest(url))  # default trust store: untrusted
    assert result.outcome is ConnectOutcome.FAILED
    assert "TLS" in result.detail and "certificate" in result.detail
    with pytest.raises(ConfigError, match=r"missing\.pem"):
        clients.connect("C", ConnectRequest(url, ca_file=tmp_path / "missing.pem"))


def test_a_cookie_the_server_sets_is_hidden_wherever_it_comes_back(
    servers: ServerThread, clients: Clients
) -> None:
    # The Set-Cookie value is masked in the recorded handshake; a message that
    # carries it again is masked as well, by the client and by the run's redactor
    # (which writes the failure text and the report), not only by the transport.
    def set_cookie(ws: ServerConnection, request: Request, response: Response) -> Response:
        response.headers["Set-Cookie"] = "sid=cookie-value-12345; Path=/"
        return response

    async def echo_cookie(ws: ServerConnection) -> None:
        await ws.send('{"type": "hello", "echo": "cookie-value-12345"}')
        await ws.wait_closed()

    run_redactor = Redactor(["s3cr3t-token"])
    srv = servers.websocket(echo_cookie, process_response=set_cookie)
    result = clients.connect("A", ConnectRequest(srv.url, redactor=run_redactor))
    assert ("Set-Cookie", "sid=***; Path=/") in result.handshake.response_headers
    assert clients.wait("A", lambda c: True if c.received else None, 5.0)
    transcript = repr(clients.get("A").transcript)
    assert '"echo": "***"' in transcript and "cookie-value-12345" not in transcript
    assert run_redactor.text("sid cookie-value-12345") == "sid ***"
