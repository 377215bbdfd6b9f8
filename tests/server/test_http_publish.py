"""``POST /channels/<channel>/messages``: publishing over HTTP to WebSocket subscribers and SSE."""

from __future__ import annotations

import asyncio
import json

import httpx
from wsref_helpers import client, recv, recv_type, run, serving, subscribe

from wsbdd.server.web import HttpApp, HttpRequest, channel_of_messages_path

ALICE = {"Authorization": "Bearer alice-token"}
BOB = {"Authorization": "Bearer bob-token"}
LOBBY = "/channels/room:lobby/messages"


def test_a_post_reaches_a_websocket_subscriber_with_extras_echoed() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            ws = await client(server, "bob")
            answer = await subscribe(ws, "room:lobby")
            assert answer["type"] == "subscribed", answer
            r = await http.post(
                LOBBY,
                json={"text": "hello", "mark": 17, "from": "mallory", "seq": 99, "type": "x"},
                headers=ALICE,
            )
            assert r.status_code == 202, r.text
            body = r.json()
            assert set(body) == {"id", "channel", "seq"}, body
            assert body["channel"] == "room:lobby" and body["id"].startswith("msg-")
            frame = await recv_type(ws, "message")
            assert frame["from"] == "alice" and frame["text"] == "hello", frame
            assert frame["mark"] == 17 and frame["channel"] == "room:lobby", frame
            assert frame["id"] == body["id"] and frame["seq"] == body["seq"], (frame, body)
            assert frame["seq"] == answer["seq"] + 1 and frame["ts"].endswith("Z"), frame
            await ws.close()

    run(main())


def test_the_channel_is_percent_decoded_and_seq_follows_websocket_publishes() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            ws = await client(server, "alice")
            assert (await subscribe(ws, "room:lobby"))["type"] == "subscribed"
            first = await http.post("/channels/room%3Alobby/messages", json={"text": "a"},
                                    headers=ALICE)
            assert first.status_code == 202, first.text
            assert first.json()["channel"] == "room:lobby"
            second = await http.post(LOBBY, json={"text": "b"}, headers=ALICE)
            assert second.json()["seq"] == first.json()["seq"] + 1
            got = [await recv(ws, what="message a"), await recv(ws, what="message b")]
            assert [(f["text"], f["seq"]) for f in got] == [
                ("a", first.json()["seq"]), ("b", second.json()["seq"])
            ], got
            await ws.close()

    run(main())


def test_a_post_reaches_an_open_sse_stream() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            async with http.stream("GET", "/sse/room:lobby") as stream:
                # the head is written once the stream is registered with the hub
                assert stream.status_code == 200
                assert stream.headers["content-type"].startswith("text/event-stream")
                r = await http.post(LOBBY, json={"text": "to the feed", "mark": "m"},
                                    headers=ALICE)
                assert r.status_code == 202, r.text
                event: dict[str, str] = {}
                async with asyncio.timeout(3):
                    async for line in stream.aiter_lines():
                        if not line:
                            break
                        name, _, value = line.partition(": ")
                        event[name] = value
            assert event["id"] == str(r.json()["seq"]) and event["event"] == "message", event
            data = json.loads(event["data"])
            assert data["from"] == "alice" and data["text"] == "to the feed", data
            assert data["mark"] == "m" and data["id"] == r.json()["id"], data

    run(main())


def test_missing_or_unknown_token_is_401() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
                r = await http.post(LOBBY, json={"text": "x"}, headers=headers)
                assert r.status_code == 401, (headers, r.text)
                assert r.headers["www-authenticate"] == "Bearer"
                assert r.json()["error"] == "unauthorized"

    run(main())


def test_another_users_private_channel_and_unknown_names_are_403() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            for channel in ("user:bob:private", "orders.user-bob", "lobby", "room:a%20b"):
                r = await http.post(f"/channels/{channel}/messages", json={"text": "x"},
                                    headers=ALICE)
                assert r.status_code == 403, (channel, r.text)
                assert r.json()["error"] == "forbidden"
            r = await http.post("/channels/user:bob:private/messages", json={"text": "x"},
                                headers=BOB)
            assert r.status_code == 202, r.text

    run(main())


def test_no_ownership_check_bug_lets_anyone_publish_to_a_private_channel() -> None:
    async def main() -> None:
        async with serving("no_ownership_check") as server, \
                httpx.AsyncClient(base_url=server.http_url) as http:
            r = await http.post("/channels/user:bob:private/messages", json={"text": "x"},
                                headers=ALICE)
            assert r.status_code == 202, r.text

    run(main())


def test_bad_bodies_are_400() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            cases = {
                b"not json": "bad_json",
                b"{": "bad_json",
                b"\xff\xfe": "bad_json",
                b"NaN": "bad_json",
                b"[]": "bad_request",
                b'"text"': "bad_request",
                b"{}": "bad_request",
                b'{"mark": 1}': "bad_request",
                b'{"text": 5}': "bad_request",
                b'{"text": null}': "bad_request",
                b'{"text": "x", "n": 1e999}': "bad_request",
            }
            for body, code in cases.items():
                r = await http.post(LOBBY, content=body, headers=ALICE)
                assert r.status_code == 400, (body, r.text)
                assert r.json()["error"] == code, (body, r.text)
            metrics = (await http.get("/metrics")).json()
            assert metrics["messages_published"] == 0, metrics

    run(main())


def test_other_methods_are_405_and_other_paths_404() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            for method in ("GET", "PUT", "DELETE"):
                r = await http.request(method, LOBBY, headers=ALICE)
                assert r.status_code == 405, (method, r.text)
                assert r.headers["allow"] == "POST"
            for path in ("/channels/x/other", "/channels//messages", "/channels/",
                         "/channels", "/channels/messages", "/channels/room:a%2Fmessages"):
                r = await http.post(path, json={"text": "x"}, headers=ALICE)
                assert r.status_code == 404, (path, r.text)
                assert r.json()["error"] == "not_found"
            assert (await http.get("/channels/x/other")).status_code == 404
            assert (await http.get("/healthz")).status_code == 200

    run(main())


def test_messages_path_parsing() -> None:
    assert channel_of_messages_path("room:lobby/messages") == "room:lobby"
    assert channel_of_messages_path("room%3Alobby/messages") == "room:lobby"
    assert channel_of_messages_path("room:a%2Fb/messages") == "room:a/b"
    assert channel_of_messages_path("room:a/b/messages") == "room:a/b"
    for rest in ("", "/messages", "messages", "x/other", "x/messages/", "x%2Fmessages"):
        assert channel_of_messages_path(rest) is None, rest


def test_handle_never_raises_when_publish_breaks() -> None:
    class Broken:
        def publish(self, channel: str, frame: object) -> int:
            raise RuntimeError("boom")

    class Orders:
        bugs: frozenset[str] = frozenset()

    class Users:
        def user_for(self, token: str) -> str | None:
            return "alice" if token == "alice-token" else None

    app = HttpApp(Broken(), Users(), Orders())  # type: ignore[arg-type]
    answer = app.handle(HttpRequest("POST", LOBBY, {"authorization": "Bearer alice-token"},
                                    b'{"text": "x"}'))
    assert answer.status == 500 and b"boom" in answer.body
