"""The cost of one big frame in a passing scenario: ``wsbdd run`` with Allure on vs. off.

A tiny WebSocket server (in this process, on 127.0.0.1 and a free port)
answers any message with one JSON text frame of ``--mib`` MiB (default 10)
that also carries a token under ``access_token``. One scenario

    Given client A is connected as alice
    When client A sends {"type": "big"}
    Then client A receives {"type": "big"} within 60 s

runs with ``python -m wsbdd run`` twice per round, each in a fresh process:
with Allure results (``--allure-dir``: the failure-free path still redacts and
attaches the transcript) and with ``--no-allure``. Each run reports its wall
time (process start to exit) and its peak resident memory (``ru_maxrss`` of
the run's own process). The best of ``--repeat`` rounds is kept.

Targets: with Allure on, at most 2x the wall time and at most 2x the peak
memory of the same run without Allure (before the one-pass redactor and the
truncated transcripts, one 10 MiB frame cost 10.6 s and 2.2 GB vs. 0.7 s and
76 MB). Every run must pass, and no Allure file may hold the token.

    .venv/bin/python bench/big_frame.py             # 10 MiB, best of 3
    .venv/bin/python bench/big_frame.py --quick     # 10 MiB, once
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, environ_without_wsbdd, wsbdd_project
from results import emit

ISSUED = "srv-issued-0123456789abcdef"
"""The token the server puts under ``access_token`` in the big frame (must never be written)."""
FEATURE = """\
Feature: one big frame

  Scenario: a big frame arrives
    Given client A is connected as alice
    When client A sends {"type": "big"}
    Then client A receives {"type": "big"} within 60 s
"""
RUNNER = """\
import resource, sys
from wsbdd.cli import main
code = main(sys.argv[1:])
print("PEAK_KIB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
sys.exit(code)
"""
TIME_TARGET = 2.0
MEMORY_TARGET = 2.0


@contextmanager
def big_frame_server(mib: float) -> Iterator[str]:
    """A WebSocket server answering every message with one ``mib`` MiB frame; yields its URL."""
    from websockets.asyncio.server import ServerConnection, serve

    body = json.dumps({"type": "big", "access_token": ISSUED, "data": "x" * int(mib * 2**20)})
    ready = threading.Event()
    port: list[int] = []
    stop: list[asyncio.Future[None]] = []
    loop = asyncio.new_event_loop()

    async def answer(ws: ServerConnection) -> None:
        async for _ in ws:
            await ws.send(body)

    async def main() -> None:
        async with serve(answer, "127.0.0.1", 0, max_size=None) as server:
            port.append(server.sockets[0].getsockname()[1])
            stop.append(loop.create_future())
            ready.set()
            await stop[0]

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise SystemExit("the big-frame server did not start")
    try:
        yield f"ws://127.0.0.1:{port[0]}/"
    finally:
        loop.call_soon_threadsafe(stop[0].set_result, None)
        thread.join(10)


def run_once(project: Path, allure: bool) -> tuple[float, float]:
    """Wall seconds and peak MiB of one ``wsbdd run``; fails loudly unless it passed."""
    results = project / "allure-results"
    report = ["--allure-dir", str(results)] if allure else ["--no-allure"]
    command = [
        sys.executable,
        "-c",
        RUNNER,
        "run",
        "--env",
        "bench",
        *report,
        "-f",
        "plain",
        "features/big.feature",
    ]
    environ = environ_without_wsbdd()
    environ["PYTHONPATH"] = str(ROOT)
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=project, env=environ, capture_output=True, text=True, timeout=600, check=False
    )
    elapsed = time.perf_counter() - start
    output = done.stdout + done.stderr
    if done.returncode != 0 or "1 scenario passed" not in output:
        raise SystemExit(f"the run (allure={allure}) failed ({done.returncode}):\n{output[-3000:]}")
    peak = next(int(line.split()[1]) for line in output.splitlines() if line.startswith("PEAK_KIB"))
    if allure:
        leaked = [p.name for p in results.iterdir() if ISSUED.encode() in p.read_bytes()]
        if leaked:
            raise SystemExit(f"the server-issued token was written to {', '.join(leaked)}")
    return elapsed, peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mib", type=float, default=10.0, help="frame size in MiB")
    parser.add_argument("--repeat", type=int, default=None, help="keep the best of R rounds")
    parser.add_argument("--quick", action="store_true", help="one round")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    print(
        f"one {args.mib:g} MiB frame in a passing scenario, Allure on vs off, best of {repeat}",
        flush=True,
    )
    best: dict[bool, tuple[float, float]] = {}
    with big_frame_server(args.mib) as url, tempfile.TemporaryDirectory(prefix="wsbdd-big-") as tmp:
        project = wsbdd_project(
            Path(tmp),
            {
                "WSBDD_SERVER": "none",
                "WSBDD_URL": url,
                "WSBDD_HTTP_URL": url.replace("ws://", "http://"),
                "WSBDD_TOKEN_ALICE": "alice-token-0123456789",
            },
            {"big.feature": FEATURE},
        )
        for round_ in range(repeat):
            for allure in (True, False) if round_ % 2 == 0 else (False, True):
                wall, peak = run_once(project, allure)
                old = best.get(allure)
                best[allure] = (
                    (wall, peak) if old is None else (min(old[0], wall), min(old[1], peak))
                )
                side = "allure on " if allure else "allure off"
                print(f"  {side} {wall:7.2f} s  peak {peak:8.1f} MiB", flush=True)
    (on_wall, on_peak), (off_wall, off_peak) = best[True], best[False]
    print(f"allure on:  {on_wall:.2f} s, peak {on_peak:.1f} MiB")
    print(f"allure off: {off_wall:.2f} s, peak {off_peak:.1f} MiB")
    emit(
        "big_frame",
        f"one {args.mib:g} MiB frame: wall time, Allure on vs off",
        wsbdd=round(on_wall, 3),
        baseline=round(off_wall, 3),
        unit="s",
        target=TIME_TARGET,
        at_most=True,
    )
    emit(
        "big_frame",
        f"one {args.mib:g} MiB frame: peak memory, Allure on vs off",
        wsbdd=round(on_peak, 1),
        baseline=round(off_peak, 1),
        unit="MiB",
        target=MEMORY_TARGET,
        at_most=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
