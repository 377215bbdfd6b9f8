"""The mock server's own cost: how fast it takes in a crowd of client connections.

wsbdd's mock server (``wsbdd.mock.server.MockServer``, recording every
handshake, header and frame) runs on a ``LoopThread`` as in a run; a child
process opens ``--clients`` connections to it at once with bare
``websockets`` (``?client=N``, one hello each) and holds them. The figure is
the mock's intake time: from the first handshake request it saw to the last
connection open in its record. Target: 1,000 clients within 2 s on this
machine. A bare ``websockets.serve`` that records nothing takes the same crowd
as a baseline (reported, not judged).

    .venv/bin/python bench/mock_connections.py              # 1,000 clients, best of 3
    .venv/bin/python bench/mock_connections.py --quick      # 1,000 clients, once
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from results import emit

from wsbdd.core.matching import Variables
from wsbdd.core.records import now
from wsbdd.mock.script import Script
from wsbdd.mock.server import MockServer
from wsbdd.runtime.loop import LoopThread

BENCH = "mock_connections"
TARGET = 2.0
CLIENTS_CODE = """
import asyncio, json, sys
from websockets.asyncio.client import connect

async def one(url, i, held):
    ws = await connect(f"{url}?client=c{i}", open_timeout=30, compression=None, proxy=None)
    await ws.send(json.dumps({"type": "hello", "client": f"c{i}"}))
    held.append(ws)

async def main(url, count):
    held = []
    await asyncio.gather(*(one(url, i, held) for i in range(count)))
    print(f"open {len(held)}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def _crowd(url: str, clients: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLIENTS_CODE, url, str(clients)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _finish(crowd: subprocess.Popen[str]) -> None:
    assert crowd.stdin is not None
    crowd.stdin.close()
    try:
        crowd.wait(30)
    except subprocess.TimeoutExpired:
        crowd.kill()


def mock_intake(loop: LoopThread, clients: int) -> float:
    """Seconds from the mock's first handshake request to its ``clients``-th open connection."""
    server = MockServer(Script(), Variables())
    loop.run(server.start(), 10)
    record = server.record
    done = threading.Event()
    opened = record.opened
    count = 0
    last = 0.0

    def counted(conn: Any, at: float, subprotocol: str | None) -> None:
        nonlocal count, last
        opened(conn, at, subprotocol)
        count += 1
        if count == clients:
            last = at
            done.set()

    record.opened = counted  # type: ignore[method-assign]
    crowd = _crowd(f"ws://127.0.0.1:{server.port}/", clients)
    try:
        if not done.wait(60):
            raise SystemExit(f"the mock saw {count} of {clients} connections within 60 s")
        return last - record.connections[0].at
    finally:
        _finish(crowd)
        loop.run(server.stop(), 30)


def bare_intake(loop: LoopThread, clients: int) -> float:
    """The same crowd into a bare ``websockets.serve`` that records nothing."""
    from websockets.asyncio.server import ServerConnection, serve

    done = threading.Event()
    times: list[float] = []

    async def handler(ws: ServerConnection) -> None:
        times.append(now())
        if len(times) == clients:
            done.set()
        await ws.wait_closed()

    first: list[float] = []

    def process_request(_ws: ServerConnection, _request: Any) -> None:
        if not first:
            first.append(now())

    async def start() -> Any:
        return await serve(
            handler, "127.0.0.1", 0, process_request=process_request, ping_interval=None
        )

    server = loop.run(start(), 10)
    port = server.sockets[0].getsockname()[1]
    crowd = _crowd(f"ws://127.0.0.1:{port}/", clients)
    try:
        if not done.wait(60):
            raise SystemExit(f"the bare server saw {len(times)} of {clients} within 60 s")
        return times[-1] - first[0]
    finally:
        _finish(crowd)

        async def stop() -> None:
            server.close()
            await asyncio.wait_for(server.wait_closed(), 30)

        loop.run(stop(), 40)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="one run instead of three")
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.quick else 3)
    loop = LoopThread("bench-mock")
    loop.start()
    mock, bare = [], []
    try:
        for _ in range(repeat):
            mock.append(mock_intake(loop, args.clients))
            bare.append(bare_intake(loop, args.clients))
            print(f"  mock {mock[-1]:.3f} s   bare websockets {bare[-1]:.3f} s", flush=True)
    finally:
        loop.stop()
    best, baseline = min(mock), min(bare)
    record = emit(
        BENCH,
        f"mock server takes in {args.clients} clients",
        wsbdd=round(best, 4),
        baseline=None,
        unit="s",
        compare="absolute",
        target=TARGET,
        at_most=True,
        note=f"bare websockets.serve (records nothing): {baseline:.3f} s; best of {repeat}",
    )
    print(
        f"{args.clients} clients into the mock in {best:.3f} s "
        f"(target <= {TARGET:g} s) {'ok' if record['met'] else 'MISSED'}"
    )
    return 0 if record["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
