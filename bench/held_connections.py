"""Held connections: how many one ``wsbdd run`` holds, memory per connection, time to open.

    .venv/bin/python bench/held_connections.py --connections 50000 --workers 3

One ``wsbdd run`` (Allure on, as users run it) on a two-scenario feature in a
temporary project: a warm-up scenario (``Given 3 clients are connected``:
it starts the Locust workers and their member hosts), then the measured one::

    Given crowds run on 3 Locust workers
    And 50000 clients are connected
    And client A is connected
    Then client A stays open for 3 s

This machine's descriptor hard limit (``ulimit -Hn``, 20,000 here) stops one
process well before 50,000 sockets, so the crowd runs on ``--workers`` local
Locust workers (docs/locust.md), each under its limit; the members spread
over 127.0.0.x source addresses (25,000 per address: the ephemeral port range
towards one destination). ``--workers 0`` keeps the crowd in the ``wsbdd run``
process (N below the limit).

The server side is a bare ``websockets`` server in ``--server-procs``
processes sharing one port (SO_REUSEPORT), since one server process has the
same descriptor limit; it only holds the connections open and counts them in
shared memory.

Measured, by sampling every 50 ms from this process:
* **held**: the most connections the servers held at once (client A aside);
* **memory per connection**: the member hosts' RSS (with ``--workers 0``, the
  ``wsbdd run`` process's) at its highest while all N were held, minus their
  RSS between the two scenarios (everything started, at most the warm-up's
  3 members), over N;
* **time to open**: the crowd step's duration in its Allure result.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil
from _common import environ_without_wsbdd, wsbdd_project
from results import emit

TARGET_KIB = 12.0
WARM_UP = 3  # members of the warm-up scenario


def _serve(port: int, ready: Any, held: Any) -> None:
    from websockets.asyncio.server import serve

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    async def hold(ws: Any) -> None:
        with held.get_lock():
            held.value += 1
        try:
            await ws.wait_closed()
        finally:
            with held.get_lock():
                held.value -= 1

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


def _feature(n: int, workers: int) -> str:
    locust = f"    Given crowds run on {workers} Locust workers\n" if workers else ""
    return (
        "Feature: held connections (bench)\n\n"
        "  Scenario: warm-up (workers and member hosts start)\n"
        f"{locust}"
        f"    Given {WARM_UP} clients are connected\n\n"
        f"  Scenario: {n} held connections\n"
        f"{locust}"
        f"    Given {n} clients are connected\n"
        "    And client A is connected\n"
        "    Then client A stays open for 3 s\n"
    )


@dataclass
class Sampler:
    """Polls the servers' connection count and the member hosts' RSS (a thread)."""

    run: psutil.Process
    held: Any
    n: int
    in_process: bool
    idle_rss: int = 0
    held_rss: int = 0
    most_held: int = 0
    seen_warm_up: bool = False
    stop: threading.Event = field(default_factory=threading.Event)

    def hosts(self) -> list[psutil.Process]:
        if self.in_process:
            return [self.run]
        found = []
        with contextlib.suppress(psutil.NoSuchProcess):
            for proc in self.run.children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    if "wsbdd.distributed.member_host" in " ".join(proc.cmdline()):
                        found.append(proc)
        return found

    def rss(self) -> int:
        total = 0
        for proc in self.hosts():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                total += proc.memory_info().rss
        return total

    def loop(self) -> None:
        while not self.stop.wait(0.05):
            count = self.held.value
            if not self.seen_warm_up:
                self.seen_warm_up = count > 0
                continue
            if self.most_held < self.n and count <= WARM_UP:
                # Between the scenarios (the warm-up's few members at most): the last counts.
                self.idle_rss = self.rss()
            elif count >= self.n:
                self.held_rss = max(self.held_rss, self.rss())
            self.most_held = max(self.most_held, count)


def _crowd_step_seconds(results: Path, n: int) -> float | None:
    for path in results.glob("*-result.json"):
        record = json.loads(path.read_text())
        for step in record.get("steps", []):
            if f"{n} clients are connected" in step.get("name", ""):
                return float(step["stop"] - step["start"]) / 1000
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--server-procs", type=int, default=3)
    args = parser.parse_args()
    n = args.connections
    holder, port = _free_port()
    held = multiprocessing.Value("l", 0)
    events = [multiprocessing.Event() for _ in range(args.server_procs)]
    servers = [
        multiprocessing.Process(target=_serve, args=(port, e, held), daemon=True) for e in events
    ]
    for proc in servers:
        proc.start()
    for event in events:
        event.wait(30)
    holder.close()
    print(
        f"fd hard limit {resource.getrlimit(resource.RLIMIT_NOFILE)[1]}, {n} connections, "
        f"workers={args.workers}, server processes={args.server_procs}", flush=True
    )
    root = Path(tempfile.mkdtemp(prefix="wsbdd-held-"))
    project = wsbdd_project(
        root,
        {"WSBDD_SERVER": "none", "WSBDD_URL": f"ws://127.0.0.1:{port}/",
         "WSBDD_CONNECT_TIMEOUT": "60 s"},
        {"held.feature": _feature(n, args.workers)},
    )
    command = [sys.executable, "-m", "wsbdd", "run", "--env", "bench", "--allure-dir",
               "allure-results", "-f", "plain", "features/held.feature"]
    start = time.monotonic()
    child = subprocess.Popen(command, cwd=project, env=environ_without_wsbdd(),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = Sampler(psutil.Process(child.pid), held, n, in_process=args.workers == 0)
    thread = threading.Thread(target=sampler.loop, daemon=True)
    thread.start()
    output, _ = child.communicate(timeout=1800)
    wall = time.monotonic() - start
    sampler.stop.set()
    thread.join()
    for proc in servers:
        proc.terminate()
    passed = child.returncode == 0
    if not passed:
        print(output[-4000:])
    opened = _crowd_step_seconds(project / "allure-results", n)
    kib = (sampler.held_rss - sampler.idle_rss) / 1024 / n
    held_count = min(sampler.most_held, n)  # client A is the +1
    print(f"wsbdd run: {'passed' if passed else 'FAILED'} in {wall:.1f} s")
    print(f"held {held_count} of {n} at once")
    if opened is not None:
        rate = n / opened
        print(f"time to open (the crowd step, Allure): {opened:.1f} s ({rate:.0f} per second)")
    print(f"memory per connection: {kib:.2f} KiB (member hosts' RSS: "
          f"{sampler.idle_rss / 2**20:.0f} MiB idle, {sampler.held_rss / 2**20:.0f} MiB held)")
    where = f"{args.workers} Locust workers" if args.workers else "one process"
    emit("held_connections", f"connections one wsbdd run holds ({where})",
         wsbdd=held_count, baseline=None, unit="connections", compare="absolute",
         target=float(n), passed=passed)
    emit("held_connections", "memory per held connection (member hosts' RSS)",
         wsbdd=kib, baseline=None, unit="KiB", compare="absolute", target=TARGET_KIB,
         at_most=True, passed=passed and sampler.held_rss > 0)
    if opened is not None:
        emit("held_connections", f"time to open {n} connections (the crowd step)",
             wsbdd=opened, baseline=None, unit="s", compare="absolute")


if __name__ == "__main__":
    main()
