"""SSE events recorded per second: wsbdd's SSE transport vs. a bare httpx-sse loop.

A server subprocess (127.0.0.1, a free port) answers every ``GET /events``
with ``--count`` events (``event: price``, an ``id``, JSON data) as fast as
the socket takes them, then ends the stream. Each round runs both sides in
this process, alternating which goes first:

* **bare**: ``httpx_sse.aconnect_sse`` + ``aiter_sse``, appending each event's
  name, id, JSON data (``json.loads``, as the bare loop of bench/latency.py
  does) and arrival time to a list — the least a client that checks JSON does;
* **wsbdd**: :class:`wsbdd.runtime.transports.sse.SseStream` reporting to a
  recorder that builds what the client keeps of each event: a
  :class:`~wsbdd.core.records.Message` (data parsed as JSON) with its ``meta``.

Rate = events / (request sent → last event recorded). The best of ``--rounds``
per side is kept. Target: wsbdd ≥ 0.8× the bare loop. A second, informative
line compares the transport alone (a recorder that keeps the raw data) with
the bare loop without ``json.loads``.

    .venv/bin/python bench/sse_throughput.py            # 100,000 events, 5 rounds
    .venv/bin/python bench/sse_throughput.py --quick    # 20,000 events, 3 rounds
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import emit

TARGET = 0.8


def _stream(count: int) -> bytes:
    line = 'event: price\nid: {0}\ndata: {{"type": "price", "symbol": "ACME", "seq": {0}}}\n\n'
    return "".join(line.format(i) for i in range(1, count + 1)).encode()


async def _serve(count: int) -> None:
    body = _stream(count)
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
        b"Connection: close\r\n\r\n"
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(head)
            for start in range(0, len(body), 65536):
                writer.write(body[start : start + 65536])
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


async def _bare(url: str, count: int, parse: bool = True) -> float:
    import httpx
    from httpx_sse import aconnect_sse

    got: list[tuple[str, str, Any, float]] = []
    loads = json.loads if parse else str
    started = time.perf_counter()
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as client,
        aconnect_sse(client, "GET", url) as source,
    ):
        async for event in source.aiter_sse():
            got.append((event.event, event.id, loads(event.data), time.perf_counter()))
    assert len(got) == count, len(got)
    return count / (got[-1][3] - started)


class _RawRecorder:
    """The transport alone: keeps the raw data and its stamp."""

    def __init__(self) -> None:
        self.messages: list[tuple[str | bytes, float]] = []
        self.done = asyncio.Event()

    def on_message(
        self, data: str | bytes, at: float, meta: Mapping[str, Any] | None = None
    ) -> None:
        self.messages.append((data, at))

    def on_control(self, kind: str, at: float, data: bytes = b"") -> None:
        pass

    def on_closed(self, info: Any) -> None:
        self.done.set()


class _Recorder:
    """What the client does with each event: a Message, data parsed as JSON, meta kept."""

    def __init__(self) -> None:
        from wsbdd.core.records import Message

        self._parse = Message.parse
        self.messages: list[Any] = []
        self.done = asyncio.Event()

    def on_message(
        self, data: str | bytes, at: float, meta: Mapping[str, Any] | None = None
    ) -> None:
        message = self._parse("A", len(self.messages), data, at)
        message.meta = dict(meta or {})
        self.messages.append(message)

    def on_control(self, kind: str, at: float, data: bytes = b"") -> None:
        pass

    def on_closed(self, info: Any) -> None:
        self.done.set()


async def _wsbdd(url: str, count: int, parse: bool = True) -> float:
    from wsbdd.runtime.transports.sse import SseStream

    recorder: _Recorder | _RawRecorder = _Recorder() if parse else _RawRecorder()
    started = time.perf_counter()
    transport = SseStream(url, max_size=64 * 2**20)
    result = await transport.open(recorder)
    assert result.opened, result
    await asyncio.wait_for(recorder.done.wait(), 120)
    assert len(recorder.messages) == count, len(recorder.messages)
    if isinstance(recorder, _Recorder):
        assert recorder.messages[-1].payload["seq"] == count
    # the transport stamps with wsbdd.core.records.now (perf_counter based)
    return count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve))
        return 0
    if args.quick:
        args.count, args.rounds = 20_000, 3
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(args.count)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}/events"
        best = dict.fromkeys(("bare", "wsbdd", "bare-raw", "wsbdd-raw"), 0.0)
        for round_ in range(args.rounds):
            order = list(best) if round_ % 2 == 0 else list(reversed(best))
            for side in order:
                parse = not side.endswith("-raw")
                run = _bare if side.startswith("bare") else _wsbdd
                rate = asyncio.run(run(url, args.count, parse))
                best[side] = max(best[side], rate)
                print(f"round {round_ + 1} {side}: {rate:,.0f} events/s", flush=True)
    finally:
        server.terminate()
        server.wait(10)
    record = emit(
        "sse_throughput",
        f"{args.count} SSE events recorded per second vs. a bare httpx-sse loop",
        wsbdd=best["wsbdd"],
        baseline=best["bare"],
        unit="events/s",
        target=TARGET,
    )
    emit(
        "sse_throughput",
        "the SSE transport alone (raw data kept) vs. httpx-sse without json.loads",
        wsbdd=best["wsbdd-raw"],
        baseline=best["bare-raw"],
        unit="events/s",
        compare="info",
    )
    return 0 if record.get("met", True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
