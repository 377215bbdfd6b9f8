"""How much latency does wsbdd's client runtime add to a bare websockets client?

A server in a **subprocess** (so it does not share our GIL) pushes N small
JSON messages at a steady pace, each carrying ``time.monotonic()`` taken just
before its write. ``CLOCK_MONOTONIC`` is system-wide on Linux, so the
receiving process can subtract it from its own readings.

Rounds alternate between two receivers, one connection at a time, same
server, same pacing, same websockets settings (deflate, no keepalive):

* **bare**: a plain ``websockets.asyncio.client`` loop that takes
  ``time.monotonic()`` right after each ``recv()`` returns;
* **wsbdd**: a :class:`wsbdd.runtime.Clients` client; we report both the
  recorded ``Message.received_at`` (stamped when the bytes reached
  ``data_received``) and the moment a ``Clients.wait`` probe on the loop
  first sees the message in the inbox (what a step's wait observes).

Like for like: the judged figure is what a step sees — median(visible to a
probe) - median(bare after ``recv()``), target <= +20 µs. The arrival stamp
(``received_at``) is taken when the bytes reach ``data_received``, *before*
any ``recv()`` could return, so median(received_at) - median(bare) is often
negative: it is printed as information only, never judged. Rounds alternate
bare/wsbdd, wsbdd/bare, ... so neither receiver always goes first.

Usage: ``python bench/latency.py [--count 2000] [--interval 0.001] [--rounds 6]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from wsbdd.runtime import Client, Clients, ConnectRequest

# -- the server (subprocess) ---------------------------------------------------------


async def _push(ws: ServerConnection) -> None:
    async for command in ws:
        count, interval = json.loads(command)
        for i in range(count):
            await ws.send(json.dumps({"i": i, "t": time.monotonic()}))
            await asyncio.sleep(interval)
        await ws.send(json.dumps({"done": True}))


async def _serve() -> None:
    async with serve(_push, "127.0.0.1", 0, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# -- the receivers ------------------------------------------------------------------------


async def _bare(url: str, count: int, interval: float) -> list[float]:
    latencies: list[float] = []
    async with connect(url, ping_interval=None, proxy=None) as ws:
        await ws.send(json.dumps([count, interval]))
        while True:
            data = await ws.recv()
            at = time.monotonic()
            payload = json.loads(data)
            if "done" in payload:
                return latencies
            latencies.append(at - payload["t"])


def _wsbdd(clients: Clients, url: str, count: int, interval: float) -> tuple[list[float], ...]:
    assert clients.connect("A", ConnectRequest(url)).opened
    seen: list[float] = []  # when a probe on the loop first saw message i

    def probe(client: Client) -> bool | None:
        now = time.monotonic()
        seen.extend([now] * (len(client.received) - len(seen)))
        last = client.received[-1].payload if client.received else None
        return True if isinstance(last, dict) and last.get("done") else None

    clients.send_text("A", json.dumps([count, interval]))
    assert clients.wait("A", probe, count * interval * 5 + 30)
    messages = clients.get("A").received[:-1]
    stamped = [m.received_at - m.payload["t"] for m in messages]
    visible = [seen[m.index] - m.payload["t"] for m in messages]
    clients.reset()
    return stamped, visible


def _us(samples: list[float], q: float = 0.5) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=0.001)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = f"ws://127.0.0.1:{server.stdout.readline().strip()}"
        bare: list[float] = []
        stamped: list[float] = []
        visible: list[float] = []
        with Clients() as clients:
            # Warm-up (imports, JIT-free but caches, TCP): one short round each.
            asyncio.run(_bare(url, 100, args.interval))
            _wsbdd(clients, url, 100, args.interval)
            for round_ in range(args.rounds):
                order = ("bare", "wsbdd") if round_ % 2 == 0 else ("wsbdd", "bare")
                for side in order:
                    if side == "bare":
                        bare += asyncio.run(_bare(url, args.count, args.interval))
                    else:
                        s, v = _wsbdd(clients, url, args.count, args.interval)
                        stamped += s
                        visible += v
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(10)

    print(f"{len(bare)} + {len(stamped)} messages, one every {args.interval * 1000:g} ms")
    print(f"{'receiver':<34}{'median µs':>11}{'p90 µs':>10}{'p99 µs':>10}")
    rows = [
        ("bare websockets (after recv())", bare),
        ("wsbdd Message.received_at", stamped),
        ("wsbdd visible to a wait() probe", visible),
    ]
    for label, samples in rows:
        print(
            f"{label:<34}{_us(samples):>11.1f}{_us(samples, 0.9):>10.1f}{_us(samples, 0.99):>10.1f}"
        )
    base = statistics.median(bare)
    added_stamp = (statistics.median(stamped) - base) * 1e6
    added_visible = (statistics.median(visible) - base) * 1e6
    print(
        f"added by wsbdd at median: visible to a probe {added_visible:+.1f} µs "
        f"(target ≤ 20 µs, judged), received_at {added_stamp:+.1f} µs (information: "
        f"stamped at byte arrival, before a recv() could return)"
    )
    from results import emit  # bench/results.py: the line bench/run_all.py reads

    emit("latency", "latency a step observes, added at the median (wait() probe)",
         wsbdd=statistics.median(visible) * 1e6, baseline=base * 1e6, unit="µs",
         compare="difference", target=20.0, at_most=True)
    emit("latency", "arrival stamp vs bare recv() at the median (Message.received_at)",
         wsbdd=statistics.median(stamped) * 1e6, baseline=base * 1e6, unit="µs",
         compare="difference",
         note="information only: stamped at byte arrival, not like for like")


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        asyncio.run(_serve())
    else:
        main()
