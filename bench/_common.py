"""Shared helpers of the crowd benchmarks: the server subprocess, child runs, verdicts.

Each crowd benchmark measures wsbdd's crowd runtime and a bare ``websockets``
client doing the same work against the reference server (a subprocess). Every
measurement runs in a fresh child process (``--child SIDE``) against a fresh
server, so memory readings start from the same state and neither side
inherits the other's heap or the server's leftovers; sides alternate and the
best of ``--repeat`` runs is kept.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
from results import emit

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "carol-token"
CONCURRENCY = 200
SIDES = ("bare", "wsbdd")


@contextmanager
def reference_server(*extra: str) -> Iterator[str]:
    """Start ``python -m wsbdd.server`` on a free port; yield its ws:// URL with a token."""
    argv = [sys.executable, "-m", "wsbdd.server", "--port", "0", "--ping-interval", "600",
            "--queue-limit", "100000", *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True,
                            preexec_fn=_raise_child_fd_limit)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"the reference server did not start: {line!r}")
    ws_url = next(word for word in line.split() if word.startswith("ws://"))
    try:
        yield f"{ws_url}?token={TOKEN}"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _raise_child_fd_limit() -> None:
    from wsbdd.client.crowd import raise_fd_limit

    raise_fd_limit(1 << 20)


def run_child(script: str, side: str, url: str, args: Sequence[str]) -> dict[str, Any]:
    """Run ``script --child SIDE --url URL ARGS`` and return the JSON it prints last."""
    command = [sys.executable, script, "--child", side, "--url", url, *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"{side} run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def rss() -> int:
    """This process's resident memory after a full collection (bytes)."""
    gc.collect()
    return psutil.Process().memory_info().rss


def verdict(
    bench: str,
    label: str,
    wsbdd: float,
    bare: float,
    target: float,
    *,
    unit: str,
    at_most: bool,
) -> bool:
    """Print ``label: ratio (target <= / >= T) ok|MISSED`` and the ``RESULT`` record.

    The record (``bench/results.py``) carries both figures for ``run_all.py``'s
    table; returns True when the target is met.
    """
    ratio = wsbdd / bare if bare else float("inf")
    met = ratio <= target if at_most else ratio >= target
    sign = "<=" if at_most else ">="
    print(f"{label:34s} ratio {ratio:5.2f}  (target {sign} {target:g})  "
          f"{'ok' if met else 'MISSED'}")
    emit(bench, label, wsbdd=wsbdd, baseline=bare, unit=unit, target=target, at_most=at_most)
    return met


def bench_parser(doc: str | None, quick_help: str) -> argparse.ArgumentParser:
    """The options every crowd bench shares (its own are added by the caller).

    ``--child bare|wsbdd --url URL`` is how the driver starts each side in a
    process of its own.
    """
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--compression", choices=("deflate", "none"), default="deflate")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--child", choices=("bare", "wsbdd"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    return parser


def compression_of(args: argparse.Namespace) -> str | None:
    """The websockets ``compression`` setting for ``--compression``."""
    return None if args.compression == "none" else "deflate"


def best(results: list[dict[str, Any]], key: str, *, lowest: bool = False) -> float:
    values = [float(r[key]) for r in results]
    return min(values) if lowest else max(values)


def alternate(repeat: int) -> Iterator[str]:
    """bare, wsbdd, wsbdd, bare, bare, wsbdd, ... (neither side always goes first)."""
    for round_ in range(repeat):
        yield from (SIDES if round_ % 2 == 0 else reversed(SIDES))
