"""HTTP routes on the WebSocket port, and garbage input."""

from __future__ import annotations

import asyncio

import httpx
from wsref_helpers import client, recv, run, serving, subscribe

METRIC_KEYS = {"connections", "subscriptions", "channels", "queued_messages", "rss_bytes",
               "uptime_s"}


def test_healthz_metrics_and_unknown_routes() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            assert (await http.get("/healthz")).status_code == 200
            a = await client(server)
            await subscribe(a, "room:m")
            metrics = (await http.get("/metrics")).json()
            assert set(metrics) >= METRIC_KEYS, metrics
            assert metrics["connections"] == 1 and metrics["subscriptions"] == 1
            assert metrics["channels"] == 1 and metrics["rss_bytes"] > 0
            assert (await http.get("/nope")).status_code == 404
            assert (await http.post("/healthz")).status_code == 405
            assert (await http.get("/orders")).status_code == 405
            await a.close()
            await asyncio.sleep(0.05)
            assert (await http.get("/metrics")).json()["connections"] == 0

    run(main())


def test_orders_created_then_paid_pushed_to_owner() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            a = await client(server)
            await subscribe(a, "orders.user-alice")
            r = await http.post("/orders", json={"item": "book", "qty": 2},
                                headers={"Authorization": "Bearer alice-token"})
            assert r.status_code == 201, r.text
            body = r.json()
            assert body["status"] == "created" and body["item"] == "book" and body["qty"] == 2
            created = await recv(a, what="order.created")
            assert created["type"] == "order.created" and created["id"] == body["id"]
            assert created["qty"] == 2 and created["user"] == "alice" and created["ts"]
            paid = await recv(a, 1.0, "order.paid")
            assert paid["type"] == "order.paid" and paid["id"] == body["id"]
            assert paid["seq"] == created["seq"] + 1

    run(main())


def test_orders_rejects_bad_token_and_body() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            ok = {"Authorization": "Bearer alice-token"}
            assert (await http.post("/orders", json={"item": "a", "qty": 1})).status_code == 401
            r = await http.post("/orders", json={"item": "a", "qty": 1},
                                headers={"Authorization": "Bearer wrong"})
            assert r.status_code == 401 and r.json()["error"] == "unauthorized"
            for body in (b"{", b"[]", b'{"item": "a"}', b'{"item": "a", "qty": "2"}',
                         b'{"item": "", "qty": 1}', b'{"item": "a", "qty": true}'):
                r = await http.post("/orders", content=body, headers=ok)
                assert r.status_code == 400, (body, r.text)
                assert "error" in r.json()

    run(main())


async def _raw(port: int, data: bytes, eof: bool = True) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    if eof:
        writer.write_eof()
    answer = await asyncio.wait_for(reader.read(), 3)
    writer.close()
    return answer


def test_garbage_and_odd_http_never_crash() -> None:
    async def main() -> None:
        async with serving() as server:
            port = server.port
            assert (await _raw(port, b"garbage\r\n\r\n")).startswith(b"HTTP/1.1 400")
            assert (await _raw(port, b"\x00\xff\x16\x03" * 10)).startswith(b"HTTP/1.1 400")
            assert (await _raw(port, b"POST /orders HTTP/1.1\r\nContent-Length: 99\r\n\r\n{"))\
                .startswith(b"HTTP/1.1 400")
            chunked = b"POST /orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            assert (await _raw(port, chunked)).startswith(b"HTTP/1.1 411")
            get_ws = b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n"
            assert (await _raw(port, get_ws, eof=False)).startswith(b"HTTP/1.1 426")
            # websockets drops an unparsable GET without an answer: fine, as long as it lives
            answer = await _raw(port, b"GET \x00\x01\r\n\r\n", eof=False)
            assert answer == b"" or answer.startswith(b"HTTP/1.1 400")
            assert (await _raw(port, b"POST", eof=True)).startswith(b"HTTP/1.1 400")
            async with httpx.AsyncClient(base_url=server.http_url) as http:
                assert (await http.get("/healthz")).status_code == 200

    run(main())
