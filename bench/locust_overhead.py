"""Locust mode's overhead against one process, same run: open N members, time a broadcast.

    .venv/bin/python bench/locust_overhead.py --connections 5000 --workers 2

Both sides run against one reference server (a subprocess), one after the
other in the same run: the crowd's members in this process (the asyncio crowd
runtime, as a one-process ``wsbdd run`` holds them) and the same crowd split
over ``--workers`` local Locust workers. Each side subscribes its members to
its own room, a publisher sends ``--messages`` marked messages, and every
member's arrival of each is a latency sample. Printed per side: time to open,
p50/p99 delivery latency; then Locust mode's overhead (open time ratio,
latency differences) and the workers' start-up time, which a run pays once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from websockets.sync.client import connect

from wsbdd.core.timing import percentile
from wsbdd.distributed.driver import LocustCrowds
from wsbdd.distributed.member_host import CrowdHost
from wsbdd.server.managed import ManagedServer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import emit  # bench/results.py: the line run_all.py reads


def _plan(url: str, count: int, channel: str) -> dict[str, Any]:
    return {
        "url": f"{url}?token=carol-token",
        "count": count,
        "concurrency": 200,
        "greeting": [
            {"text": "", "what": "connection", "ack": {"type": "welcome"}, "patience": 10.0},
            {
                "text": json.dumps({"type": "subscribe", "channel": channel}),
                "what": f"subscription to {channel}",
                "ack": {"type": "subscribed", "channel": channel},
            },
        ],
    }


def _publish(url: str, channel: str, run: str, messages: int) -> dict[str, float]:
    sent: dict[str, float] = {}
    with connect(f"{url}?token=alice-token") as alice:
        alice.recv(timeout=10)
        for i in range(messages):
            mark = f"{run}-{i}"
            frame = {"type": "message", "channel": channel, "text": "hi", "mark": mark}
            sent[mark] = time.monotonic()
            alice.send(json.dumps(frame))
    return sent


def _line(
    side: str, opened: float, failed: int, samples: list[float], expected: int
) -> dict[str, float]:
    p50, p99 = percentile(samples, 50) or 0.0, percentile(samples, 99) or 0.0
    print(
        f"{side:>13}: open {opened:6.2f} s ({failed} failed), "
        f"deliveries {len(samples)}/{expected}, "
        f"p50 {p50 * 1000:7.1f} ms, p99 {p99 * 1000:7.1f} ms"
    )
    return {"open": opened, "p50": p50, "p99": p99}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--messages", type=int, default=3)
    args = parser.parse_args()
    n, m = args.connections, args.messages
    with ManagedServer.embedded(["--ping-interval", "600"]) as server:
        url = server.ws_url
        assert url is not None

        async def one_process() -> tuple[float, int, list[float]]:
            host = CrowdHost()
            start = time.monotonic()
            opened = await host.handle(
                {"cmd": "open", "crowd": "one", "plan": _plan(url, n, "room:one")}
            )
            took = time.monotonic() - start
            sent = await asyncio.to_thread(_publish, url, "room:one", "one", m)
            got = await host.handle(
                {
                    "cmd": "arrivals",
                    "crowd": "one",
                    "marks": list(sent),
                    "mark_path": "$.mark",
                    "wait": 30.0,
                }
            )
            await host.handle({"cmd": "quit"})
            samples = [at - sent[k] for _, k, at in got["arrivals"]]
            return took, sum(opened["failures"].values()), samples

        took, failed, samples = asyncio.run(one_process())
        one = _line("one process", took, failed, samples, n * m)

        start = time.monotonic()
        crowds = LocustCrowds(args.workers)
        startup = time.monotonic() - start
        try:
            start = time.monotonic()
            opened = crowds.command(
                {"cmd": "open", "crowd": "two", "plan": _plan(url, n, "room:two")}, 300
            )
            took = time.monotonic() - start
            sent = _publish(url, "room:two", "two", m)
            got = crowds.command(
                {
                    "cmd": "arrivals",
                    "crowd": "two",
                    "marks": list(sent),
                    "mark_path": "$.mark",
                    "wait": 30.0,
                    "sent": sent,
                },
                60,
            )
        finally:
            crowds.close()
        samples = [at - sent[k] for _, k, at in got["arrivals"]]
        two = _line(
            f"{args.workers} workers", took, sum(opened["failures"].values()), samples, n * m
        )
    print(
        f"Locust mode overhead at N={n}: open x{two['open'] / one['open']:.2f}, "
        f"p50 {1000 * (two['p50'] - one['p50']):+.1f} ms, "
        f"p99 {1000 * (two['p99'] - one['p99']):+.1f} ms; "
        f"workers' start-up {startup:.1f} s (once per run)"
    )
    where = f"{args.workers} Locust workers vs one process"
    emit("locust_overhead", f"time to open {n} members, {where}", wsbdd=two["open"],
         baseline=one["open"], unit="s", compare="info")
    emit("locust_overhead", f"p50 delivery latency at N={n}, {where}", wsbdd=two["p50"] * 1000,
         baseline=one["p50"] * 1000, unit="ms", compare="info")
    emit("locust_overhead", f"p99 delivery latency at N={n}, {where}", wsbdd=two["p99"] * 1000,
         baseline=one["p99"] * 1000, unit="ms", compare="info")
    emit("locust_overhead", "Locust workers' start-up (once per run)", wsbdd=startup,
         baseline=None, unit="s", compare="info")


if __name__ == "__main__":
    main()
