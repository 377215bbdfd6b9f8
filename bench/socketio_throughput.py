"""Socket.IO events recorded per second: wsbdd's client vs. a bare python-socketio AsyncClient.

One Socket.IO reference server (the Node socket.io one when it is installed,
else the bundled python-socketio app; ``--server`` picks) runs for the whole
bench. Each round, each side (in alternating order) asks the server for a
burst of ``--events`` events (``burst {"count": N}``: N events ``tick {"n": i}``)
and times from the emit until its N-th event is recorded:

* bare: a ``socketio.AsyncClient`` whose ``tick`` handler keeps each event's
  payload with ``time.perf_counter()`` (what a hand-written test would do);
* wsbdd: a :class:`wsbdd.runtime.Client` on the Socket.IO transport, which
  stamps, numbers, parses and keeps each event as a ``Message`` (inbox,
  history) — what every receive step reads.

Events recorded per second = N / elapsed; the best round of each side counts.
Target: wsbdd >= 0.8 x bare.

    .venv/bin/python bench/socketio_throughput.py             # 20,000 events, best of 5
    .venv/bin/python bench/socketio_throughput.py --quick     # 2,000 events, best of 2
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import emit  # noqa: E402

TARGET = 0.8


async def bare_round(url: str, count: int) -> float:
    """Seconds for a bare AsyncClient to record ``count`` events."""
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    got: list[tuple[float, Any]] = []
    done = asyncio.Event()

    @client.on("tick")  # type: ignore[untyped-decorator]
    def tick(data: Any) -> None:
        got.append((time.perf_counter(), data))
        if len(got) == count:
            done.set()

    await client.connect(url, transports=["websocket"], wait_timeout=5)
    try:
        started = time.perf_counter()
        await client.emit("burst", {"count": count})
        await asyncio.wait_for(done.wait(), 120)
        return time.perf_counter() - started
    finally:
        await client.disconnect()


async def wsbdd_round(url: str, count: int) -> float:
    """Seconds for a wsbdd Client (Socket.IO transport) to record ``count`` events."""
    from wsbdd.runtime import Client, ConnectRequest
    from wsbdd.runtime.transports.socketio import SocketIoTransport

    done = asyncio.Event()
    holder: list[Client] = []

    def changed() -> None:
        if holder and len(holder[0].received) >= count:
            done.set()

    client = Client("A", ConnectRequest(url, transport="socketio"), on_change=changed)
    holder.append(client)
    result = await client.open()
    if not result.opened:
        raise SystemExit(f"wsbdd could not connect: {result.detail}")
    transport = client.transport
    assert isinstance(transport, SocketIoTransport)
    try:
        started = time.perf_counter()
        await transport.emit("burst", {"count": count})
        await asyncio.wait_for(done.wait(), 120)
        return time.perf_counter() - started
    finally:
        await client.shutdown()


async def measure(url: str, count: int, repeat: int) -> tuple[float, float]:
    """Best events/s of (bare, wsbdd) over ``repeat`` alternating rounds (after a warm-up)."""
    await bare_round(url, min(count, 500))
    await wsbdd_round(url, min(count, 500))
    best = {"bare": 0.0, "wsbdd": 0.0}
    for n in range(repeat):
        order = ("bare", "wsbdd") if n % 2 == 0 else ("wsbdd", "bare")
        for side in order:
            run = bare_round if side == "bare" else wsbdd_round
            elapsed = await run(url, count)
            rate = count / elapsed
            best[side] = max(best[side], rate)
            print(f"  round {n + 1} {side:5s} {rate:10.0f} events/s", flush=True)
    return best["bare"], best["wsbdd"]


def main(argv: list[str] | None = None) -> int:
    """Run the bench; exit status 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=20_000, help="events per round")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per side (best counts)")
    parser.add_argument("--server", choices=("auto", "node", "python"), default="auto")
    parser.add_argument("--quick", action="store_true", help="2,000 events, 2 rounds")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.repeat = 2_000, 2

    from tests.socketio.servers import NODE_INSTALLED, running

    kind = args.server if args.server != "auto" else ("node" if NODE_INSTALLED else "python")
    with running(kind, ping_interval=600) as server:
        print(f"socketio_throughput: {args.events} events per round, {kind} server", flush=True)
        bare, wsbdd = asyncio.run(measure(server.ws_url.replace("ws://", "http://"),
                                          args.events, args.repeat))
    record = emit("socketio_throughput", "Socket.IO events recorded", wsbdd=wsbdd,
                  baseline=bare, unit="events/s", target=TARGET, server=kind)
    print(f"bare {bare:.0f} events/s, wsbdd {wsbdd:.0f} events/s: ratio {record['value']:.2f} "
          f"(target >= {TARGET:g}) {'ok' if record['met'] else 'MISSED'}")
    return 0 if record["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
