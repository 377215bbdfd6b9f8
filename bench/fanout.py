"""Fan-out benchmark: the reference server vs. a bare ``websockets.broadcast`` server.

Both servers run as subprocesses (one core's worth each, same flags: no
compression, no pings during the run). The bench process holds N raw
subscriber sockets (a minimal frame counter, so the clients are cheap and the
servers are the bottleneck) and one publisher. Each round the publisher sends
``--burst`` messages to ``room:bench`` and waits until every subscriber
counted every delivery; deliveries/s = messages × subscribers / elapsed.

    .venv/bin/python bench/fanout.py            # 1000 subscribers, ~30-60 s
    .venv/bin/python bench/fanout.py --quick    # fewer rounds, well under 60 s
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, reference_server, verdict

CHANNEL = "room:bench"
TARGET = 0.7
"""The reference server's deliveries/s must be at least this share of the bare server's."""


# --------------------------------------------------------------------- bare server
async def bare_server(port: int) -> None:
    """The baseline: subscribe → set membership, message → one ``broadcast``."""
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    subscribers: set[ServerConnection] = set()
    seq = 0

    async def handler(ws: ServerConnection) -> None:
        nonlocal seq
        await ws.send(json.dumps({"type": "welcome", "user": "bench", "subprotocol": None}))
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "subscribe":
                    subscribers.add(ws)
                    await ws.send(json.dumps({"type": "subscribed", "channel": CHANNEL,
                                              "seq": seq}))
                elif frame.get("type") == "message":
                    seq += 1
                    out = {**frame, "from": "bench", "id": f"msg-{os.urandom(16).hex()}",
                           "seq": seq, "ts": "2024-01-01T00:00:00.000Z"}
                    broadcast(subscribers, json.dumps(out, separators=(",", ":")))
        finally:
            subscribers.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None,
                     max_queue=None) as server:
        bound = server.sockets[0].getsockname()[1]
        print(f"bare broadcast server listening on ws://127.0.0.1:{bound}/ws "
              f"http://127.0.0.1:{bound}", flush=True)
        await asyncio.Event().wait()


# --------------------------------------------------------------------- clients
class Totals:
    """Frames counted over every subscriber, with a target to wait for."""

    def __init__(self) -> None:
        self.frames = 0
        self.target = 0
        self.reached = asyncio.Event()

    def add(self, n: int) -> None:
        self.frames += n
        if self.target and self.frames >= self.target:
            self.reached.set()


class Subscriber(asyncio.Protocol):
    """A WebSocket client that only counts text frames (no parsing, no pongs)."""

    def __init__(self, totals: Totals, path: str, host: str) -> None:
        self.totals = totals
        self.path = path
        self.host = host
        self.buf = bytearray()
        self.upgraded = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.frames = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def send_text(self, text: str) -> None:
        data = text.encode()
        assert len(data) < 126 and self.transport is not None
        self.transport.write(bytes([0x81, 0x80 | len(data)]) + b"\0\0\0\0" + data)

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded.done():
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self.upgraded.set_exception(RuntimeError(bytes(buf[:80]).decode("latin-1")))
                return
            del buf[: end + 4]
            self.upgraded.set_result(None)
        pos, size, count = 0, len(buf), 0
        while size - pos >= 2:
            length = buf[pos + 1] & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif length == 127:
                if size - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            if size - pos < head + length:
                break
            if buf[pos] & 0x0F == 1:
                count += 1
            pos += head + length
        if pos:
            del buf[:pos]
        if count:
            self.frames += count
            self.totals.add(count)


async def connect_subscribers(port: int, n: int, totals: Totals, token: str) -> list[Subscriber]:
    """Open ``n`` subscribers and subscribe them all (bounded waits)."""
    loop = asyncio.get_running_loop()
    subs: list[Subscriber] = []
    sem = asyncio.Semaphore(50)

    async def one() -> None:
        async with sem:
            _, sub = await loop.create_connection(
                lambda: Subscriber(totals, f"/ws?token={token}", f"127.0.0.1:{port}"),
                "127.0.0.1", port)
            await asyncio.wait_for(sub.upgraded, 10)
            sub.send_text(json.dumps({"type": "subscribe", "channel": CHANNEL}))
            subs.append(sub)

    await asyncio.gather(*(one() for _ in range(n)))
    # welcome + subscribed on every connection
    totals.target = 2 * n
    if totals.frames < totals.target:
        totals.reached.clear()
        await asyncio.wait_for(totals.reached.wait(), 30)
    return subs


async def measure(url_port: int, n: int, rounds: int, burst: int, token: str) -> float:
    """Deliveries per second on one running server."""
    from websockets.asyncio.client import connect

    totals = Totals()
    subs = await connect_subscribers(url_port, n, totals, token)
    publisher = await connect(f"ws://127.0.0.1:{url_port}/ws?token={token}",
                              compression=None, ping_interval=None, max_queue=None,
                              proxy=None)
    text = "x" * 64

    async def round_trip(count: int) -> None:
        totals.target = totals.frames + count * n
        totals.reached.clear()
        for i in range(count):
            await publisher.send(json.dumps({"type": "message", "channel": CHANNEL,
                                             "text": text, "mark": i}))
        await asyncio.wait_for(totals.reached.wait(), 60)

    await round_trip(burst)  # warm-up
    start = time.perf_counter()
    for _ in range(rounds):
        await round_trip(burst)
    elapsed = time.perf_counter() - start
    await publisher.close()
    for sub in subs:
        if sub.transport is not None:
            sub.transport.abort()
    return rounds * burst * n / elapsed


@contextlib.contextmanager
def bare_server_process() -> Iterator[int]:
    """The baseline server in a subprocess; yields its port (read from its banner line)."""
    from wsbdd.server.managed import BANNER_PATTERN

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, __file__, "--bare-server"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = BANNER_PATTERN.search(line)
        if found is None:
            raise SystemExit(f"server did not start: {argv} printed {line!r}")
        yield int(found["http"].rsplit(":", 1)[1])
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def server_port(name: str) -> Iterator[int]:
    """The port of a fresh ``bare`` or ``reference`` server, stopped on exit."""
    if name == "bare":
        with bare_server_process() as port:
            yield port
    else:
        with reference_server() as server:
            assert server.port is not None
            yield server.port


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, list[float]] = {"bare": [], "reference": []}
    for round_ in range(args.repeat):  # alternating: neither server always goes first
        for name in (list(results) if round_ % 2 == 0 else list(reversed(results))):
            with server_port(name) as port:
                rate = await measure(port, args.subscribers, args.rounds, args.burst,
                                     "alice-token")
            results[name].append(rate)
            print(f"  {name:9s} {rate:12,.0f} deliveries/s", flush=True)
    best = {name: max(rates) for name, rates in results.items()}
    return {"subscribers": args.subscribers, "messages": args.rounds * args.burst,
            "bare": best["bare"], "reference": best["reference"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--burst", type=int, default=20, help="messages per round")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=None,
                        help="measure each server this many times, keep the best")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (< ~30 s)")
    parser.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_server:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(bare_server(args.port))
        return 0
    args.rounds = args.rounds or (10 if args.quick else 40)
    args.repeat = args.repeat or (1 if args.quick else 2)
    print(f"fan-out: {args.subscribers} subscribers of {CHANNEL}, "
          f"{args.rounds} rounds × {args.burst} messages, best of {args.repeat}", flush=True)
    result = asyncio.run(bench(args))
    print(f"bare websockets.broadcast: {result['bare']:,.0f} deliveries/s")
    print(f"wsbdd reference server:    {result['reference']:,.0f} deliveries/s")
    ok = verdict("fanout", f"reference server fan-out, {args.subscribers} subscribers",
                 result["reference"], result["bare"], TARGET, unit="deliveries/s",
                 at_most=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
