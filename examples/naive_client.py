"""A client app with the reconnect-storm bug: it reconnects at once, every time.

Each of ``--clients`` connections loops: connect, say hello, print what it
receives, and on any loss or refusal connect again immediately — no backoff,
no jitter. The mock server's reconnect checks catch it
(tests/suite/test_client_app_matrix.py).

    python examples/naive_client.py ws://127.0.0.1:8765/ws --clients 20
"""

from __future__ import annotations

import argparse
import asyncio
import json

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake


async def client(url: str, name: str) -> None:
    separator = "&" if "?" in url else "?"
    while True:
        try:
            async with connect(f"{url}{separator}client={name}") as ws:
                await ws.send(json.dumps({"type": "hello", "client": name}))
                async for message in ws:
                    print(f"{name} received {message}", flush=True)
        except (ConnectionClosed, InvalidHandshake, OSError):
            pass  # the bug: straight back in, whatever happened


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=1)
    # The same options as backoff_client.py, so it drops into the same feature: ignored.
    for option in ("--initial-delay", "--min-delay", "--max-delay", "--factor"):
        parser.add_argument(option, type=float, help="accepted and ignored (the bug)")
    args = parser.parse_args()
    names = [f"c{i}" for i in range(1, args.clients + 1)]
    await asyncio.gather(*(client(args.url, name) for name in names))


if __name__ == "__main__":
    asyncio.run(main())
