"""SocketIoTransport against both reference servers (python-socketio and Node socket.io)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

from tests.socketio.servers import RunningServer
from tests.transport_recorder import Recorder
from wsbdd.core.records import ConnectOutcome, now
from wsbdd.runtime.request import ConnectRequest
from wsbdd.runtime.transports.socketio import SocketIOOptions, SocketIoTransport, split_url


def make(url: str, options: SocketIOOptions | None = None, **fields: Any) -> SocketIoTransport:
    return SocketIoTransport(ConnectRequest(url, socketio=options, **fields), "A")


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 30))


async def opened(
    server: RunningServer, path: str = "/", **options: Any
) -> tuple[SocketIoTransport, Recorder]:
    rec = Recorder()
    transport = make(server.ws_url + path, SocketIOOptions(**options), open_timeout=3)
    result = await transport.open(rec)
    assert result.opened, result.detail
    assert result.handshake.status == 101
    return transport, rec


def test_split_url_keeps_the_query_and_names_the_namespace() -> None:
    assert split_url("ws://h:1/chat?x=1") == ("http://h:1?x=1", "/chat")
    assert split_url("wss://h/") == ("https://h", "/")
    assert split_url("http://h:2") == ("http://h:2", "/")


def test_an_event_is_a_message_with_its_name_and_namespace(sio_server: RunningServer) -> None:
    async def body() -> None:
        a, rec = await opened(sio_server, "/chat", token="alice-token")
        before = now()
        await a.emit("chat message", {"text": "hi"})
        await rec.wait_until(lambda: bool(rec.events("chat message")))
        data, at, meta = rec.messages[0]
        assert json.loads(data) == {"text": "hi", "from": "alice"}
        assert meta == {"event": "chat message", "namespace": "/chat"}
        assert before <= at <= now()
        await a.close()

    run(body)


def test_several_arguments_are_one_json_list(sio_server: RunningServer) -> None:
    async def body() -> None:
        a, rec = await opened(sio_server)
        await a.emit("pair")
        await rec.wait_until(lambda: bool(rec.events("pair")))
        assert json.loads(rec.events("pair")[0]) == ["left", {"right": 2}]
        await a.close()

    run(body)


def test_an_ack_carries_the_servers_answer(sio_server: RunningServer) -> None:
    async def body() -> None:
        a, _ = await opened(sio_server)
        ack = await a.emit_with_ack("join", {"room": "lobby"}, within=2)
        assert ack is not None
        assert ack.payload == {"ok": True, "joined": "lobby"}
        assert ack.sent_at <= ack.acked_at
        await a.close()

    run(body)


def test_no_ack_within_the_timeout_is_none(sio_server: RunningServer) -> None:
    async def body() -> None:
        a, _ = await opened(sio_server)
        assert await a.emit_with_ack("nobody listens", None, within=0.3) is None
        await a.close()

    run(body)


def test_a_room_broadcast_reaches_the_other_client(sio_server: RunningServer) -> None:
    async def body() -> None:
        a, _ = await opened(sio_server, "/chat", token="alice-token")
        b, rec_b = await opened(sio_server, "/chat", token="bob-token")
        for client in (a, b):
            assert await client.emit_with_ack("join", {"room": "r1"}, within=2) is not None
        await a.emit("chat message", {"room": "r1", "text": "hello"})
        await rec_b.wait_until(lambda: bool(rec_b.events("chat message")))
        got = json.loads(rec_b.events("chat message")[0])
        assert got == {"room": "r1", "text": "hello", "from": "alice"}
        await a.close()
        await b.close()

    run(body)


def test_the_token_can_travel_in_the_auth_payload_the_query_or_a_header(
    sio_server: RunningServer,
) -> None:
    async def body() -> None:
        for place in ("auth", "query", "header"):
            a, _ = await opened(sio_server, "/chat", token="bob-token", auth_in=place)
            ack = await a.emit_with_ack("whoami", None, within=2)
            assert ack is not None and ack.payload == {"user": "bob"}, place
            await a.close()

    run(body)


def test_events_keep_their_order(sio_server: RunningServer) -> None:
    async def body() -> None:
        a, rec = await opened(sio_server)
        await a.emit("burst", {"count": 300})
        await rec.wait_until(lambda: len(rec.events("tick")) == 300)
        assert [json.loads(d)["n"] for d in rec.events("tick")] == list(range(300))
        stamps = [at for _, at, _ in rec.messages]
        assert stamps == sorted(stamps)
        await a.close()

    run(body)


def test_pings_are_answered_and_reported_never_messages(sio_server: RunningServer) -> None:
    async def body() -> None:
        a, rec = await opened(sio_server)
        # The servers ping every 0.3 s and drop a client missing 2 pongs (> 5 s).
        await rec.wait_until(lambda: len(rec.controls) >= 3, within=5)
        assert {kind for kind, _ in rec.controls} == {"ping"}
        assert rec.messages == []
        assert rec.closes == []
        await a.close()

    run(body)


def test_a_server_disconnect_reads_like_a_close_with_its_reason(
    sio_server: RunningServer,
) -> None:
    async def body() -> None:
        a, rec = await opened(sio_server)
        await a.emit("kick")
        await rec.wait_until(lambda: bool(rec.closes))
        (info,) = rec.closes
        assert (info.initiated_by, info.clean, info.reason) == ("server", True, "server disconnect")
        assert info.describe() == 'closed by the server with code 1000 "server disconnect"'

    run(body)


def test_a_client_close_is_reported_once(sio_server: RunningServer) -> None:
    async def body() -> None:
        a, rec = await opened(sio_server)
        await a.close()
        await a.close()
        assert [(c.initiated_by, c.code) for c in rec.closes] == [("client", 1000)]

    run(body)


def test_a_namespace_refusal_is_the_event_connect_error(sio_server: RunningServer) -> None:
    async def body() -> None:
        cases = [
            ("/chat", None, "unauthorized"),
            ("/chat", "not-a-token", "invalid token"),
            ("/", "not-a-token", "invalid token"),
        ]
        for path, token, message in cases:
            rec = Recorder()
            t = make(sio_server.ws_url + path, SocketIOOptions(token=token))
            result = await t.open(rec)
            assert result.outcome is ConnectOutcome.REJECTED
            assert result.detail == (
                f'namespace "{path}" refused the connection: '
                f'connect_error {{"message": "{message}"}}'
            )
            assert rec.events("connect_error") == [json.dumps({"message": message})]

    run(body)


def test_an_unknown_namespace_is_refused_by_name(sio_server: RunningServer) -> None:
    async def body() -> None:
        rec = Recorder()
        t = make(sio_server.ws_url + "/nowhere")
        result = await t.open(rec)
        assert result.outcome is ConnectOutcome.REJECTED
        assert result.detail.startswith('namespace "/nowhere" refused the connection: ')
        assert len(rec.events("connect_error")) == 1

    run(body)


def test_a_wrong_engine_io_path_fails_naming_the_path(sio_server: RunningServer) -> None:
    async def body() -> None:
        t = make(sio_server.ws_url, SocketIOOptions(path="/not-socket.io/"))
        result = await t.open(Recorder())
        # python-socketio answers 404; Node's HTTP server drops an upgrade nobody handles
        if result.outcome is ConnectOutcome.REJECTED:
            assert result.handshake.status is not None and result.handshake.status >= 400
            assert result.detail.startswith(f"HTTP {result.handshake.status} to the WebSocket")
        else:
            assert result.outcome is ConnectOutcome.FAILED
            assert result.detail.startswith("the server closed the connection without answering")
        assert result.detail.endswith('at the Engine.IO path "/not-socket.io/"')

    run(body)


def test_a_server_that_never_sends_the_open_packet_fails_within_the_open_timeout() -> None:
    async def silent(ws: ServerConnection) -> None:
        await ws.wait_closed()

    async def body() -> None:
        async with serve(silent, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            t = make(f"ws://127.0.0.1:{port}/", open_timeout=0.5)
            started = now()
            result = await t.open(Recorder())
            took = now() - started
        assert result.outcome is ConnectOutcome.TIMED_OUT
        assert result.detail == (
            "no Engine.IO open packet within 0.5 s (the WebSocket was accepted)"
        )
        assert 0.5 <= took < 1.5

    run(body)


def test_nothing_listening_is_a_refused_connection() -> None:
    async def body() -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        result = await make(f"ws://127.0.0.1:{port}/").open(Recorder())
        assert result.outcome is ConnectOutcome.REFUSED, result

    run(body)


def test_a_sent_event_array_is_that_event_and_its_ack_a_message(
    sio_server: RunningServer,
) -> None:
    async def body() -> None:
        a, rec = await opened(sio_server)
        await a.send_text('["join", {"room": "r2"}]')
        await rec.wait_until(lambda: bool(rec.events("ack")))
        data, _, meta = rec.messages[0]
        assert json.loads(data) == {"ok": True, "joined": "r2"}
        assert meta == {"event": "ack", "namespace": "/", "ack_of": "join"}
        await a.send_text('{"plain": 1}')  # the "message" event: nobody answers it
        await a.send_text('["echo", 1, 2]')
        await rec.wait_until(lambda: bool(rec.events("echo")))
        assert json.loads(rec.events("echo")[0]) == [1, 2]
        await a.close()

    run(body)


def test_a_dropped_connection_is_reported_as_lost(sio_server: RunningServer) -> None:
    async def body() -> None:
        a, rec = await opened(sio_server)
        await a.drop()
        assert [(c.initiated_by, c.code, c.clean) for c in rec.closes] == [("network", 1006, False)]
        assert not a.is_open

    run(body)


def test_the_token_never_shows_in_the_recorded_handshake(sio_server: RunningServer) -> None:
    async def body() -> None:
        for place in ("auth", "query", "header"):
            t = make(sio_server.ws_url + "/chat", SocketIOOptions(token="bob-token", auth_in=place))
            result = await t.open(Recorder())
            assert result.opened
            shown = repr(result.handshake) + result.detail
            assert "bob-token" not in shown, (place, shown)
            await t.close()
        refused = make(sio_server.ws_url + "/chat?token=not-a-token")
        result = await refused.open(Recorder())
        assert result.outcome is ConnectOutcome.REJECTED
        assert "not-a-token" not in repr(result.handshake)

    run(body)


def test_a_header_given_twice_is_sent_once_with_both_values() -> None:
    from wsbdd.runtime.transports.socketio_options import header_fields

    fields = header_fields([
        ("Accept", "application/json"), ("X-Tag", "a"), ("x-tag", "b"),
        ("Cookie", "sid=1"), ("cookie", "theme=dark"), ("accept", "text/plain"),
    ])
    assert fields == {
        "Accept": "application/json, text/plain",
        "X-Tag": "a, b",
        "Cookie": "sid=1; theme=dark",
    }
    transport = SocketIoTransport(
        ConnectRequest("ws://127.0.0.1:9/chat", headers=[("X-Tag", "a"), ("X-Tag", "b")],
                       transport="socketio"),
        "A",
    )
    assert transport._url_and_headers()[1] == {"X-Tag": "a, b"}
