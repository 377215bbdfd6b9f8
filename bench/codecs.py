"""Decoded MessagePack frames recorded per second vs. JSON frames of the same content.

A server (a subprocess, so it does not share the client's core) pushes N
frames of the same chat message, as JSON text or as MessagePack, to one wsbdd
client (the runtime the steps use: reader task, stamping, decoding into
``Message.payload``). The figure is frames recorded per second, from the
first frame's arrival to the last one's; the two codecs alternate, best of
``--repeat``. Protobuf's decoding cost per message (``chat.Envelope``, the
same content) is measured beside it, in-process, as information.

    .venv/bin/python bench/codecs.py [--quick] [--count N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from results import emit  # noqa: E402

MESSAGE = {
    "type": "message",
    "channel": "room:lobby",
    "from": "alice",
    "text": "the quick brown fox jumps over the lazy dog",
    "seq": 1,
}

SERVER = r"""
import asyncio, json, sys
import msgpack
from websockets.asyncio.server import serve

count, codec = int(sys.argv[1]), sys.argv[2]
message = json.loads(sys.argv[3])
frame = msgpack.packb(message) if codec == "msgpack" else json.dumps(message)

async def handler(ws):
    await ws.recv()
    for start in range(0, count, 500):
        for _ in range(min(500, count - start)):
            await ws.send(frame)
    await ws.wait_closed()

async def main():
    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        await asyncio.Future()

asyncio.run(main())
"""


def one_run(codec: str, count: int) -> float:
    """Frames per second recorded by a wsbdd client speaking ``codec``."""
    from wsbdd.runtime import LoopThread

    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(count), codec, json.dumps(MESSAGE)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        loop = LoopThread("bench-codecs")
        loop.start()
        try:
            return loop.run(_receive(port, codec, count), 120)
        finally:
            loop.stop()
    finally:
        server.kill()
        server.wait()


async def _receive(port: int, codec: str, count: int) -> float:
    from wsbdd.core.codecs import codec_named as named
    from wsbdd.runtime import ClientManager, ConnectRequest

    manager = ClientManager()
    chosen = named(codec) if codec == "msgpack" else None
    request = ConnectRequest(f"ws://127.0.0.1:{port}/", compression=None, codec=chosen)
    await manager.connect("A", request)
    await manager.send_text("A", "go")

    def done(client: object) -> bool | None:
        received = client.received  # type: ignore[attr-defined]
        return True if len(received) >= count else None

    await manager.wait("A", done, 120)
    received = manager.get("A").received
    assert all(m.is_json and m.payload["seq"] == 1 for m in received), "frames were not decoded"
    elapsed = received[-1].received_at - received[0].received_at
    await manager.reset()
    return (count - 1) / elapsed


def protobuf_decode_cost(rounds: int) -> float:
    """Microseconds to decode one ``chat.Envelope`` into the JSON steps' value."""
    from wsbdd.core.codecs import protobuf_codec

    codec = protobuf_codec("chat.Envelope", ROOT / "features" / "protos" / "chat.proto")
    frame = codec.encode(MESSAGE)
    start = time.perf_counter()
    for _ in range(rounds):
        codec.decode(frame)
    return (time.perf_counter() - start) / rounds * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 frames, best of 2")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    count, repeat = (20_000, 2) if args.quick else (args.count, args.repeat)
    rates: dict[str, list[float]] = {"json": [], "msgpack": []}
    for round_ in range(repeat):
        order = ("json", "msgpack") if round_ % 2 == 0 else ("msgpack", "json")
        for codec in order:
            rates[codec].append(one_run(codec, count))
            print(f"  {codec:8} {rates[codec][-1]:>10,.0f} frames/s", flush=True)
    best = {codec: max(values) for codec, values in rates.items()}
    emit(
        "codecs",
        "decoded MessagePack frames recorded",
        wsbdd=best["msgpack"],
        baseline=best["json"],
        unit="frames/s",
        compare="ratio",
        target=0.8,
        note=f"{count:,} frames of the same chat message; baseline: the same as JSON text",
    )
    emit(
        "codecs",
        "Protobuf decoding per message (chat.Envelope)",
        wsbdd=protobuf_decode_cost(20_000),
        baseline=None,
        unit="µs",
        compare="absolute",
        note="in-process: bytes → the JSON steps' value (json_format.MessageToDict)",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
