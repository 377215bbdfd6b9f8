"""The SSE transport against real servers on port 0: the reference server, sse-starlette, raw ones.

Each test drives :class:`~wsbdd.runtime.transports.sse.SseStream` with a
recording ``TransportEvents`` and checks what the tester would be shown.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from websockets.asyncio.client import connect

from tests.sse.sse_helpers import STREAM_HEAD, Recorder, asgi_server, raw_server, read_head, run
from wsbdd.core.records import ConnectOutcome, now
from wsbdd.core.redaction import Redactor
from wsbdd.runtime.transports.sse import SseStream
from wsbdd.server import ReferenceServer, ServerOptions

FAST = {"ping_interval": 5.0, "ping_timeout": 5.0, "close_timeout": 1.0, "history": 50}


async def _publisher(server: ReferenceServer, channel: str):  # type: ignore[no-untyped-def]
    ws = await connect(f"{server.ws_url}?token=bob-token", open_timeout=5, close_timeout=1)
    assert json.loads(await asyncio.wait_for(ws.recv(), 2))["type"] == "welcome"
    await ws.send(json.dumps({"type": "subscribe", "channel": channel}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 2))["type"] == "subscribed"
    return ws


async def _publish(ws, channel: str, text: str) -> None:  # type: ignore[no-untyped-def]
    await ws.send(json.dumps({"type": "message", "channel": channel, "text": text}))


def test_the_reference_server_streams_a_channel_with_ids_and_resumes_after_last_event_id() -> None:
    async def main() -> None:
        async with ReferenceServer(ServerOptions(**FAST)) as server:
            bob = await _publisher(server, "room:feed")
            events = Recorder()
            sse = SseStream(f"{server.http_url}/sse/room:feed")
            result = await sse.open(events)
            assert result.opened, result
            assert result.handshake.status == 200
            sent = now()
            await _publish(bob, "room:feed", "one")
            await _publish(bob, "room:feed", "two")
            await events.messages_count(2)
            (first, at, meta), (second, _, meta2) = events.messages
            assert json.loads(first)["text"] == "one" and at >= sent
            assert meta == {"event": "message", "id": "1", "retry": None}
            assert json.loads(second)["text"] == "two" and meta2["id"] == "2"
            assert sse.last_event_id == "2"
            await sse.close()
            assert (await events.closed()).initiated_by == "client"

            await _publish(bob, "room:feed", "three")
            again = Recorder()
            resumed = SseStream(f"{server.http_url}/sse/room:feed", last_event_id="1")
            assert ("Last-Event-ID", "1") in resumed.headers
            assert (await resumed.open(again)).opened
            await again.messages_count(2)
            assert [json.loads(d)["text"] for d, _, _ in again.messages] == ["two", "three"]
            await resumed.close()
            await bob.close()

    run(main())


def test_a_private_channel_is_refused_without_its_owners_token_and_served_with_it() -> None:
    async def main() -> None:
        async with ReferenceServer(ServerOptions(**FAST)) as server:
            url = f"{server.http_url}/sse/user:alice:private"
            refused = await SseStream(url).open(Recorder())
            assert refused.outcome is ConnectOutcome.REJECTED
            assert refused.handshake.status == 401
            assert "status 401" in refused.detail and "unknown token" in refused.detail
            wrong = await SseStream(url, [("Authorization", "Bearer bob-token")]).open(
                Recorder()
            )
            assert wrong.handshake.status == 403 and "may not read" in wrong.detail
            sse = SseStream(url, [("Authorization", "Bearer alice-token")])
            assert (await sse.open(Recorder())).opened
            await sse.close()

    run(main())


def test_the_server_stopping_ends_the_stream_as_a_server_close() -> None:
    async def main() -> None:
        server = ReferenceServer(ServerOptions(**FAST))
        await server.start()
        events = Recorder()
        sse = SseStream(f"{server.http_url}/sse/room:end")
        assert (await sse.open(events)).opened
        await server.stop()
        info = await events.closed()
        assert info.initiated_by == "server" and info.code == 1000, info
        assert "the server ended the event stream" in info.describe()

    run(main())


async def _ticker(request: Request) -> EventSourceResponse:
    async def events() -> AsyncIterator[ServerSentEvent]:
        price = json.dumps({"symbol": "ACME", "price": 1})
        yield ServerSentEvent(data=price, event="price", id="41")
        yield ServerSentEvent(data="plain text", event="note", id="42", retry=1500)
        yield ServerSentEvent(data=request.headers.get("last-event-id", "-"), event="resume")

    return EventSourceResponse(events(), ping=60)


def test_sse_starlette_events_keep_name_id_retry_and_the_end_reads_as_a_server_close() -> None:
    async def main() -> None:
        app = Starlette(routes=[Route("/ticker", _ticker)])
        async with asgi_server(app) as base:
            events = Recorder()
            sse = SseStream(f"{base}/ticker", [("X-Trace", "1")], last_event_id="40")
            assert (await sse.open(events)).opened
            info = await events.closed()
            assert [m[2]["event"] for m in events.messages] == ["price", "note", "resume"]
            price, note, resume = events.messages
            assert json.loads(price[0]) == {"symbol": "ACME", "price": 1}
            assert price[2]["id"] == "41"
            assert note[2] == {"event": "note", "id": "42", "retry": 1500}
            assert note[0] == "plain text" and resume[0] == "40"
            assert info.initiated_by == "server" and info.clean
            assert sse.last_event_id == "42"

    run(main())


def test_a_wrong_content_type_is_a_rejected_handshake_naming_status_and_type() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        body = b"<html>hello</html>"
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        await writer.drain()

    async def main() -> None:
        async with raw_server(handler) as base:
            result = await SseStream(f"{base}/events").open(Recorder())
            assert result.outcome is ConnectOutcome.REJECTED
            assert "status 200 with Content-Type text/html" in result.detail
            assert "not an event stream" in result.detail and "<html>hello" in result.detail

    run(main())


def test_malformed_lines_are_ignored_and_the_good_events_still_arrive() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(STREAM_HEAD)
        writer.write(b"garbage without colon\nretry: soon\n: a comment\ndata: {\"a\": 1}\n\n")
        writer.write(b"\xff\xfe not utf-8\ndata: second\r\n\r\nid: 7\n\n")
        writer.write(b"event: done\ndata: x\n\n")
        await writer.drain()

    async def main() -> None:
        async with raw_server(handler) as base:
            events = Recorder()
            assert (await SseStream(f"{base}/events").open(events)).opened
            info = await events.closed()
            assert [(m[0], m[2]["event"]) for m in events.messages] == [
                ('{"a": 1}', "message"),
                ("second", "message"),
                ("x", "done"),
            ]
            assert events.messages[2][2]["id"] == "7"  # an id alone is kept, not dispatched
            assert info.initiated_by == "server"

    run(main())


def _big_event_handler(size: int):  # type: ignore[no-untyped-def]
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(STREAM_HEAD)
        writer.write(b"data: " + b"x" * size + b"\n\n")
        await writer.drain()
        await asyncio.Event().wait()  # keep the stream open: the cap must end it

    return handler


def test_one_event_over_the_size_cap_closes_the_stream_with_the_limit_named() -> None:
    async def main() -> None:
        async with raw_server(_big_event_handler(10 * 2**20)) as base:
            events = Recorder()
            sse = SseStream(f"{base}/events", max_size=2**20)
            assert (await sse.open(events)).opened
            started = now()
            info = await events.closed(limit=5)
            assert now() - started < 5
            assert info.code == 1009 and info.initiated_by == "client"
            assert "exceeded the size limit of 1048576 bytes" in info.reason
            assert events.messages == []

    run(main())


def test_a_10_mib_event_under_the_default_cap_arrives_whole() -> None:
    async def main() -> None:
        async with raw_server(_big_event_handler(10 * 2**20)) as base:
            events = Recorder()
            sse = SseStream(f"{base}/events", max_size=64 * 2**20)
            assert (await sse.open(events)).opened
            await events.messages_count(1, limit=10)
            assert len(events.messages[0][0]) == 10 * 2**20
            await sse.close()

    run(main())


def test_a_server_that_never_answers_times_the_handshake_out_within_open_timeout() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        await asyncio.Event().wait()

    async def main() -> None:
        async with raw_server(handler) as base:
            started = now()
            result = await SseStream(f"{base}/events", open_timeout=0.3).open(Recorder())
            assert result.outcome is ConnectOutcome.TIMED_OUT
            assert now() - started < 1.5
            assert "no response headers within 0.3 s" in result.detail

    run(main())


def test_a_stream_that_never_sends_stays_open_and_closes_on_request() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(STREAM_HEAD)
        await writer.drain()
        await asyncio.Event().wait()

    async def main() -> None:
        async with raw_server(handler) as base:
            events = Recorder()
            sse = SseStream(f"{base}/events", close_timeout=0.5)
            assert (await sse.open(events)).opened
            assert events.closes == [] and events.messages == []
            started = now()
            await sse.close()
            assert now() - started < 1.0
            assert (await events.closed()).initiated_by == "client"

    run(main())


def test_required_headers_are_never_overridden_by_the_steps_headers() -> None:
    sse = SseStream(
        "http://127.0.0.1:9/events",
        [("accept", "application/json"), ("X-Id", "1"), ("Last-Event-ID", "5")],
        last_event_id="3",
    )
    assert ("Accept", "text/event-stream") in sse.headers
    assert all(v != "application/json" for _, v in sse.headers)
    assert ("X-Id", "1") in sse.headers and ("Last-Event-ID", "5") in sse.headers
    assert ("Last-Event-ID", "3") not in sse.headers


def test_the_recorded_handshake_and_a_refusal_never_show_the_token() -> None:
    async def main() -> None:
        async with ReferenceServer(ServerOptions(**FAST)) as server:
            url = f"{server.http_url}/sse/user:alice:private?token=bob-token"
            sse = SseStream(
                url,
                [("Authorization", "Bearer bob-token")],
                redactor=Redactor(["bob-token"]),
            )
            result = await sse.open(Recorder())
            assert result.handshake.status == 403
            shown = repr(result.handshake) + result.detail
            assert "bob-token" not in shown, shown
            assert "may not read user:alice:private" in result.detail

    run(main())
