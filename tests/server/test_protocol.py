"""Protocol points of the reference server (in process, real sockets)."""

from __future__ import annotations

import json
import re

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from wsref_helpers import (
    client,
    closed,
    nothing,
    publish,
    recv,
    recv_type,
    run,
    serving,
    subscribe,
)

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")


def test_welcome_with_query_token_and_bearer_header() -> None:
    async def main() -> None:
        async with serving() as server:
            ws = await client(server, welcome=False)
            assert await recv(ws) == {"type": "welcome", "user": "alice", "subprotocol": None}
            async with connect(server.ws_url,
                               additional_headers={"Authorization": "Bearer bob-token"}) as ws2:
                assert (await recv(ws2))["user"] == "bob"
            await ws.close()

    run(main())


def test_missing_token_4401_unknown_token_4403() -> None:
    async def main() -> None:
        async with serving() as server:
            async with connect(server.ws_url) as ws:
                assert await closed(ws) == (4401, "unauthorized")
            async with connect(server.ws_url + "?token=nope") as ws:
                assert await closed(ws) == (4403, "forbidden")

    run(main())


def test_users_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSBDD_SERVER_USERS", "dave:tok1,erin:tok2")

    async def main() -> None:
        async with serving() as server:
            ws = await client(server, token="tok1", welcome=False)
            assert (await recv(ws))["user"] == "dave"
            async with connect(server.ws_url + "?token=alice-token") as ws2:
                assert (await closed(ws2))[0] == 4403

    run(main())


def test_users_option_replaces_table() -> None:
    async def main() -> None:
        async with serving(users={"zed": "zz"}) as server:
            ws = await client(server, token="zz", welcome=False)
            assert (await recv(ws))["user"] == "zed"

    run(main())


def test_subprotocol_negotiation() -> None:
    async def main() -> None:
        async with serving() as server:
            url = server.ws_url + "?token=alice-token"
            async with connect(url, subprotocols=["x", "chat.v2", "chat.v1"]) as ws:
                assert ws.subprotocol == "chat.v2"
                assert (await recv(ws))["subprotocol"] == "chat.v2"
            async with connect(url, subprotocols=["chat.v1", "chat.v2"]) as ws:
                assert ws.subprotocol == "chat.v1"
            with pytest.raises(InvalidStatus) as info:
                await connect(url, subprotocols=["chat.v9"])
            assert info.value.response.status_code == 400

    run(main())


def test_origins() -> None:
    async def main() -> None:
        async with serving(origins=("https://good.example",)) as server:
            url = server.ws_url + "?token=alice-token"
            async with connect(url, origin="https://good.example") as ws:
                await recv(ws)
            async with connect(url) as ws:  # no Origin: allowed
                await recv(ws)
            with pytest.raises(InvalidStatus) as info:
                await connect(url, origin="https://evil.example")
            assert info.value.response.status_code == 403

    run(main())


def test_message_fan_out_seq_id_ts_and_extras() -> None:
    async def main() -> None:
        async with serving() as server:
            a, b = await client(server, "alice"), await client(server, "bob")
            sub = await subscribe(a, "room:lobby")
            assert sub == {"type": "subscribed", "channel": "room:lobby", "seq": 0}
            await subscribe(b, "room:lobby")
            await recv_type(a, "presence")
            await publish(b, "room:lobby", "hi", mark=7)
            for ws in (a, b):
                got = await recv_type(ws, "message")
                assert got["channel"] == "room:lobby" and got["from"] == "bob"
                assert got["text"] == "hi" and got["seq"] == 1 and got["mark"] == 7
                assert isinstance(got["id"], str) and ISO.match(got["ts"]), got
            await publish(a, "room:lobby", "again", seq=99, id="fake")
            m1, m2 = await recv(a), await recv(b)
            assert m1 == m2 and m1["seq"] == 2 and m1["id"] != "fake" and m1["from"] == "alice"
            c = await client(server, "carol")
            assert (await subscribe(c, "room:lobby"))["seq"] == 2
            await nothing(c, 0.1)

    run(main())


def test_unsubscribe_stops_delivery() -> None:
    async def main() -> None:
        async with serving() as server:
            a = await client(server)
            await subscribe(a, "room:x")
            await a.send(json.dumps({"type": "unsubscribe", "channel": "room:x"}))
            assert await recv(a) == {"type": "unsubscribed", "channel": "room:x"}
            await publish(a, "room:x", "lost")
            await nothing(a, 0.2)

    run(main())


def test_private_channels_only_for_their_owner() -> None:
    async def main() -> None:
        async with serving() as server:
            a, b = await client(server, "alice"), await client(server, "bob")
            for channel in ("user:alice:private", "orders.user-alice"):
                assert (await subscribe(a, channel))["type"] == "subscribed"
                err = await subscribe(b, channel)
                assert err["type"] == "error" and err["code"] == "forbidden", err
                assert err["channel"] == channel
            await publish(b, "user:alice:private", "sneaky")
            err = await recv(b)
            assert err["code"] == "forbidden"
            assert (await subscribe(a, "weird-channel"))["code"] == "forbidden"
            await nothing(a, 0.1)

    run(main())


def test_presence_first_join_and_last_leave() -> None:
    async def main() -> None:
        async with serving() as server:
            a = await client(server, "alice")
            await subscribe(a, "room:p")
            b1 = await client(server, "bob")
            await subscribe(b1, "room:p")
            assert await recv(a) == {"type": "presence", "channel": "room:p", "user": "bob",
                                     "status": "joined"}
            await nothing(b1, 0.1)  # no presence about oneself
            b2 = await client(server, "bob")
            await subscribe(b2, "room:p")
            await nothing(a, 0.1)  # bob's second connection: no new join
            await b1.close()
            await nothing(a, 0.1)
            await b2.close()
            assert (await recv(a))["status"] == "left"

    run(main())


def test_ping_and_errors_keep_connection_open() -> None:
    async def main() -> None:
        async with serving() as server:
            a = await client(server)
            await a.send(json.dumps({"type": "ping"}))
            assert await recv(a) == {"type": "pong"}
            await a.send("{not json")
            assert (await recv(a))["code"] == "bad_json"
            await a.send(json.dumps({"type": "dance"}))
            assert (await recv(a))["code"] == "unknown_type"
            for bad in ({"type": "subscribe"}, {"type": "message", "channel": "room:a"},
                        {"type": "subscribe", "channel": "room:a", "since": "x"}, [1], {}):
                await a.send(json.dumps(bad))
                assert (await recv(a))["code"] == "bad_request", bad
            await a.send(b"\x00\x01")
            assert (await recv(a))["code"] == "bad_request"
            await a.send(json.dumps({"type": "ping"}))
            assert await recv(a) == {"type": "pong"}

    run(main())


def test_message_over_max_size_closes_1009() -> None:
    async def main() -> None:
        async with serving(max_size=1024) as server:
            a = await client(server, max_size=None)
            await a.send("x" * 2000)
            assert (await closed(a))[0] == 1009

    run(main())


def test_resume_replays_and_reports_gaps() -> None:
    async def main() -> None:
        async with serving(history=5) as server:
            a = await client(server)
            await subscribe(a, "room:r")
            for i in range(8):
                await publish(a, "room:r", f"m{i}")
            for _ in range(8):
                await recv(a)
            b = await client(server, "bob")
            sub = await subscribe(b, "room:r", since=5)
            assert sub["seq"] == 8 and sub["recovered"] is True
            assert [(await recv(b))["seq"] for _ in range(3)] == [6, 7, 8]
            c = await client(server, "carol")
            sub = await subscribe(c, "room:r", since=1)
            assert sub["recovered"] is False
            assert [(await recv(c))["seq"] for _ in range(5)] == [4, 5, 6, 7, 8]
            await publish(a, "room:r", "live")
            assert (await recv_type(c, "message"))["seq"] == 9
            d = await client(server)
            assert (await subscribe(d, "room:r", since=9))["recovered"] is True
            await nothing(d, 0.1)

    run(main())


def test_heartbeat_closes_dead_peer_with_1011() -> None:
    from wsref_helpers import RawClient, close_code

    async def main() -> None:
        async with serving(ping_interval=0.2, ping_timeout=0.3) as server:
            raw = await RawClient.open(server.port)
            frames = []
            while (frame := await raw.frame(3.0)) is not None:
                frames.append(frame)
                if frame[0] == 8:
                    break
            opcodes = [op for op, _ in frames]
            assert 9 in opcodes, frames  # a ping arrived
            assert opcodes[-1] == 8 and close_code(frames[-1][1]) == 1011, frames
            raw.close()

    run(main())


def test_one_user_many_connections_all_receive() -> None:
    async def main() -> None:
        async with serving() as server:
            conns = [await client(server) for _ in range(3)]
            for ws in conns:
                await subscribe(ws, "user:alice:private")
            await publish(conns[0], "user:alice:private", "note")
            for ws in conns:
                assert (await recv(ws))["text"] == "note"

    run(main())


def test_abrupt_disconnects_do_not_hurt() -> None:
    from wsref_helpers import RawClient

    async def main() -> None:
        async with serving() as server:
            a = await client(server)
            await subscribe(a, "room:z")
            for _ in range(5):
                raw = await RawClient.open(server.port)
                raw.writer.write(b"\x81\xff garbage frame header")
                raw.close()
            await publish(a, "room:z", "still here")
            assert (await recv(a))["text"] == "still here"

    run(main())
