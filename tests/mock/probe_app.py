"""A client app for the mock-server feature tests: it reports what it sees to the mock.

    python probe_app.py URL [--header NAME=VALUE] [--no-query] [--subprotocol P]
                            [--pid-file PATH] [--ignore-term] [--child]

On every connection it sends ``{"type": "hello", "client": "p1", "subprotocol": ...}``
and a ping ``{"type": "ping", "id": 7}``; it echoes each message back as
``{"type": "echo", "got": MESSAGE, "rtt_ms": N, "slow": N >= 350}`` (N: ms since its ping);
after a close or a refusal it reconnects at once and reports
``{"type": "closed", "code": N}`` or ``{"type": "refused", "status": N}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--no-query", action="store_true")
    parser.add_argument("--subprotocol")
    parser.add_argument("--pid-file")
    parser.add_argument("--ignore-term", action="store_true")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--token", help="sent in the query and in an auth message")
    args = parser.parse_args()
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.pid_file:
        pids = [os.getpid()]
        if args.child:
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # noqa: ASYNC220
            pids.append(child.pid)
        with open(args.pid_file, "w") as out:  # noqa: ASYNC230
            out.write(" ".join(map(str, pids)))
    url = args.url if args.no_query else f"{args.url}?client=p1"
    if args.token:
        url += f"&token={args.token}"
    headers = [tuple(h.split("=", 1)) for h in args.header]
    protocols = [args.subprotocol] if args.subprotocol else None
    report: list[dict[str, object]] = []
    while True:
        try:
            async with connect(url, additional_headers=headers, subprotocols=protocols) as ws:
                await ws.send(
                    json.dumps({"type": "hello", "client": "p1", "subprotocol": ws.subprotocol})
                )
                if args.token:
                    await ws.send(json.dumps({"type": "auth", "token": args.token}))
                    print(f"authenticated with {args.token}", flush=True)
                for item in report:
                    await ws.send(json.dumps(item))
                report.clear()
                pinged = time.monotonic()
                await ws.send(json.dumps({"type": "ping", "id": 7}))
                async for message in ws:
                    rtt = round((time.monotonic() - pinged) * 1000)
                    print(f"received {message}", flush=True)
                    echo = {
                        "type": "echo",
                        "got": json.loads(message),
                        "rtt_ms": rtt,
                        "slow": rtt >= 350,
                    }
                    await ws.send(json.dumps(echo))
                code, reason = ws.close_code, ws.close_reason
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else 1006
            reason = exc.rcvd.reason if exc.rcvd else ""
        except InvalidStatus as exc:
            report.append({"type": "refused", "status": exc.response.status_code})
            continue
        except OSError:
            await asyncio.sleep(0.05)  # the app's own retry pause
            continue
        print(f"closed {code}", flush=True)
        report.append({"type": "closed", "code": code, "reason": reason})


if __name__ == "__main__":
    asyncio.run(main())
