"""Held connections: how many one wsbdd run holds, memory per connection, time to open.

    .venv/bin/python bench/held_connections.py --connections 50000 --workers 3

The crowd runs on ``--workers`` local Locust workers (docs/locust.md): this
machine's descriptor hard limit (``ulimit -Hn``, 20,000 here) stops one
process well before 50,000 sockets, so the members are split over worker
processes, each under its limit, and spread over 127.0.0.x source addresses
(25,000 per address: the ephemeral port range towards one destination).
``--workers 0`` runs the crowd in this process instead (N below the limit).

The server side is a bare ``websockets`` server in ``--server-procs``
processes sharing one port (SO_REUSEPORT), since one server process has the
same descriptor limit; it only holds the connections open.

Memory per connection is the member hosts' RSS after opening minus their RSS
before (each host already started with an empty crowd), over N.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wsbdd.distributed.driver import LocustCrowds
from wsbdd.distributed.member_host import CrowdHost


def _serve(port: int, ready: Any) -> None:
    from websockets.asyncio.server import serve

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    async def hold(ws: Any) -> None:
        await ws.wait_closed()

    async def main() -> None:
        async with serve(
            hold,
            "127.0.0.1",
            port,
            reuse_port=True,
            ping_interval=None,
            compression=None,
            backlog=4096,
        ):
            ready.set()
            await asyncio.Future()

    asyncio.run(main())


def _free_port() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _hosts(crowds: LocustCrowds) -> list[int]:
    pids = []
    for proc in crowds._procs:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        pids.extend(int(c) for c in children)
    return pids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--server-procs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=500)
    args = parser.parse_args()
    holder, port = _free_port()
    events = [multiprocessing.Event() for _ in range(args.server_procs)]
    servers = [multiprocessing.Process(target=_serve, args=(port, e), daemon=True) for e in events]
    for proc in servers:
        proc.start()
    for event in events:
        event.wait(30)
    holder.close()
    url = f"ws://127.0.0.1:{port}/"
    plan = {
        "url": url,
        "count": args.connections,
        "concurrency": args.concurrency,
        "open_timeout": 60.0,
    }
    print(
        f"fd hard limit {resource.getrlimit(resource.RLIMIT_NOFILE)[1]}, "
        f"{args.connections} connections, workers={args.workers}, servers={args.server_procs}"
    )
    if args.workers == 0:

        async def one() -> None:
            host = CrowdHost()
            before = _rss_kib(os.getpid())
            start = time.monotonic()
            reply = await host.open("held", plan)
            took = time.monotonic() - start
            after = _rss_kib(os.getpid())
            _report(reply, took, (after - before) / max(1, args.connections))
            await host.handle({"cmd": "quit"})

        asyncio.run(one())
    else:
        crowds = LocustCrowds(args.workers)
        try:
            crowds.command({"cmd": "open", "crowd": "warm", "plan": {**plan, "count": 0}}, 30)
            hosts = _hosts(crowds)
            before = sum(_rss_kib(p) for p in hosts)
            start = time.monotonic()
            reply = crowds.command({"cmd": "open", "crowd": "held", "plan": plan}, 600)
            took = time.monotonic() - start
            after = sum(_rss_kib(p) for p in hosts)
            _report(reply, took, (after - before) / max(1, args.connections))
        finally:
            crowds.close()
    for proc in servers:
        proc.terminate()


def _report(reply: dict[str, Any], took: float, kib: float) -> None:
    if reply.get("workers", 1) != reply.get("expected_workers", 1):
        print(
            f"only {reply.get('workers')} of {reply.get('expected_workers')} workers finished "
            f"opening within the bound ({took:.0f} s): no figure (machine too busy?)"
        )
        return
    failed = sum(reply.get("failures", {}).values())
    print(
        f"held {reply['attempted'] - failed} of {reply['attempted']} "
        f"(failures: {reply.get('failures') or 'none'})"
    )
    print(f"time to open: {took:.1f} s ({reply['attempted'] / took:.0f} per second)")
    print(f"memory per connection: {kib:.1f} KiB (client side, RSS delta)")


if __name__ == "__main__":
    main()
