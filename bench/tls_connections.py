"""Opening ``wss://`` connections: wsbdd's crowd vs. a bare ``websockets`` client, CPU a connection.

A TLS echo server (a subprocess) presents a certificate from a private CA.
The clients trust it through ``SSL_CERT_FILE``: the system's CA bundle with
that CA appended, so loading the trust store costs what it costs against a
real server. Each side runs in its own child process (order alternating,
best of ``--repeat``) and opens N connections, 50 at a time, then closes them:

* ``bare``: ``websockets.connect`` with one ``ssl.SSLContext`` for every
  connection, the same TLS work wsbdd does (the baseline);
* ``wsbdd``: ``When N clients connect`` (``Crowd.open`` through ``Clients``);
* ``bare, context each`` (information): ``websockets.connect`` left to its
  default, which loads the trust store again for every connection, as wsbdd
  did before it kept one default context (``wsbdd/runtime/tls.py``).

Target: wsbdd's client CPU a connection <= 1.5 × bare.

    .venv/bin/python bench/tls_connections.py            # 1,000 connections, best of 2
    .venv/bin/python bench/tls_connections.py --quick    # 300 connections, once
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from results import emit  # noqa: E402

AT_A_TIME = 50
SIDES = ("bare", "wsbdd", "bare-default")
SERVER = """
import asyncio, ssl, sys
from websockets.asyncio.server import serve
async def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    async def echo(ws):
        async for message in ws:
            await ws.send(message)
    async with serve(echo, "127.0.0.1", 0, ssl=context, ping_interval=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()
asyncio.run(main())
"""


async def bare(url: str, n: int, shared: bool) -> int:
    from websockets.asyncio.client import connect

    context: ssl.SSLContext | bool = ssl.create_default_context() if shared else True
    gate = asyncio.Semaphore(AT_A_TIME)
    opened = []

    async def one() -> None:
        async with gate:
            opened.append(await connect(url, ssl=context, ping_interval=None, proxy=None))

    await asyncio.gather(*(one() for _ in range(n)))
    await asyncio.gather(*(ws.close() for ws in opened))
    return len(opened)


def wsbdd(url: str, n: int) -> int:
    from wsbdd.runtime import ClientManager, Clients, ConnectRequest
    from wsbdd.runtime.crowd import Crowd

    with Clients() as clients:
        crowd = Crowd(ConnectRequest(url, open_timeout=30.0), n, concurrency=AT_A_TIME)

        async def open_all(manager: ClientManager) -> int:
            manager.add_crowd(crowd)
            report = await crowd.open()
            return report.attempted - report.failed

        return clients.run(open_all, 300.0)


def child(side: str, url: str, n: int) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    opened = wsbdd(url, n) if side == "wsbdd" else asyncio.run(bare(url, n, side == "bare"))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(json.dumps({"opened": opened, "cpu": cpu, "wall": wall}))


def files(folder: Path) -> tuple[Path, Path, Path]:
    """A private CA's certificate for 127.0.0.1, and a bundle: the system's CAs plus it."""
    from tests.tls_files import private_ca

    made = private_ca(folder)
    system = Path(ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt")
    bundle = folder / "bundle.pem"
    bundle.write_text(system.read_text() + made["ca.crt"].read_text())
    return made["srv.crt"], made["srv.key"], bundle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="300 connections, once")
    parser.add_argument("--child", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.connections, args.repeat = 300, 1
    if args.child:
        child(args.child, args.url, args.connections)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        crt, key, bundle = files(Path(tmp))
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(crt), str(key)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            url = f"wss://127.0.0.1:{server.stdout.readline().strip()}/"
            env = {**os.environ, "SSL_CERT_FILE": str(bundle)}
            best: dict[str, dict[str, Any]] = {}
            for round_ in range(args.repeat):
                order = SIDES if round_ % 2 == 0 else SIDES[::-1]
                for side in order:
                    done = subprocess.run(
                        [sys.executable, __file__, "--child", side, "--url", url,
                         "--connections", str(args.connections)],
                        env=env, capture_output=True, text=True, timeout=600, check=True,
                    )  # fmt: skip
                    figures = json.loads(done.stdout.strip().splitlines()[-1])
                    if side not in best or figures["cpu"] < best[side]["cpu"]:
                        best[side] = figures
        finally:
            server.kill()
            server.wait()
    n = args.connections
    for side in SIDES:
        b = best[side]
        print(f"{side:13s} opened {b['opened']:5d}/{n}  CPU {b['cpu'] * 1000 / n:6.2f} ms a "
              f"connection  wall {b['wall']:6.2f} s")  # fmt: skip
    every = all(best[side]["opened"] == n for side in SIDES)
    per = {side: best[side]["cpu"] * 1000 / n for side in SIDES}
    emit("tls_connections", f"wss:// opening, {n} connections", wsbdd=per["wsbdd"],
         baseline=per["bare"], unit="ms CPU a connection", target=1.5, at_most=True,
         passed=every, note="bare: websockets with one shared SSLContext")  # fmt: skip
    emit("tls_connections", "the same, websockets' default (a context each)",
         wsbdd=per["wsbdd"], baseline=per["bare-default"], unit="ms CPU a connection",
         compare="info", passed=every)  # fmt: skip
    return 0 if every else 1


if __name__ == "__main__":
    raise SystemExit(main())
