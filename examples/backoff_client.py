"""A client app that reconnects politely: websockets' own reconnecting ``connect()``.

Each of ``--clients`` connections runs ``async for ws in connect(url)``, the
websockets iterator that retries a failed attempt with exponential backoff
(its ``backoff()`` generator: a random first delay, then ``min-delay``
growing ``factor`` times per attempt). When an open connection is lost, the
iterator would try again at once; like RFC 6455 §7.2.3 asks, this app first
waits a random part of ``--initial-delay``, so a crowd of clients does not come
back in the same instant. On every connection it says hello and prints what
it receives.

    python examples/backoff_client.py ws://127.0.0.1:8765/ws --clients 20

Used by features/client_app.feature and tests/suite/test_client_app_matrix.py
with short delays, so the shipped suite stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random

from websockets.asyncio.client import connect
from websockets.client import backoff
from websockets.exceptions import ConnectionClosed


async def client(url: str, name: str, args: argparse.Namespace) -> None:
    delays = functools.partial(
        backoff,
        initial_delay=args.initial_delay,
        min_delay=args.min_delay,
        max_delay=args.max_delay,
        factor=args.factor,
    )
    separator = "&" if "?" in url else "?"
    async for ws in connect(f"{url}{separator}client={name}", reconnect_delays=delays):
        try:
            await ws.send(json.dumps({"type": "hello", "client": name}))
            async for message in ws:
                print(f"{name} received {message}", flush=True)
        except ConnectionClosed:
            pass
        # The connection was lost: wait a random part of the initial delay first.
        await asyncio.sleep(random.random() * args.initial_delay)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--initial-delay", type=float, default=5.0)
    parser.add_argument("--min-delay", type=float, default=3.1)
    parser.add_argument("--max-delay", type=float, default=90.0)
    parser.add_argument("--factor", type=float, default=1.618)
    args = parser.parse_args()
    names = [f"c{i}" for i in range(1, args.clients + 1)]
    await asyncio.gather(*(client(args.url, name, args) for name in names))


if __name__ == "__main__":
    asyncio.run(main())
