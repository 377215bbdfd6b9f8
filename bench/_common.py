"""Shared helpers of the benchmarks: the server subprocess, child runs, verdicts, projects.

Each crowd benchmark measures wsbdd's crowd runtime and a bare ``websockets``
client doing the same work against the reference server (a subprocess). Every
measurement runs in a fresh child process (``--child SIDE``) against a fresh
server, so memory readings start from the same state and neither side
inherits the other's heap or the server's leftovers; sides alternate and the
best of ``--repeat`` runs is kept. A crowd bench therefore only writes its two
sides (``bare`` and ``wsbdd``) and its verdicts; ``child_main`` and
``run_sides`` do the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
from collections.abc import (
    Awaitable,
    Callable,
    Collection,
    Coroutine,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil
from results import emit

# Python writes and reuses bytecode caches as on any user's machine: with
# PYTHONDONTWRITEBYTECODE set (this workplace sets it), every `wsbdd run` compiled
# wsbdd's ~225 modules from source again (its editable install has no caches)
# while behave and websockets ran from the caches pip wrote at install: 0.3 s of
# start-up charged to one side only.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

if TYPE_CHECKING:
    from wsbdd.runtime import ClientManager, ConnectRequest
    from wsbdd.runtime.crowd import Crowd, CrowdReport
    from wsbdd.server.managed import ManagedServer

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "carol-token"
CONCURRENCY = 200
SIDES = ("bare", "wsbdd")
SERVER_ARGS = ("--ping-interval", "600", "--queue-limit", "100000")
"""The reference server's flags in every bench: no pings during a run, deep queues."""

Result = dict[str, Any]


# ------------------------------------------------------------------------ the server
@contextmanager
def reference_server(*extra: str) -> Iterator[ManagedServer]:
    """The reference server (``ManagedServer``) on a free port, with ``SERVER_ARGS``."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from wsbdd.server.managed import ManagedServer

    with ManagedServer.embedded([*SERVER_ARGS, *extra]) as server:
        yield server


def crowd_url(server: ManagedServer) -> str:
    """The server's ws:// URL with the crowd benches' token (carol)."""
    return f"{server.ws_url}?token={TOKEN}"


# ------------------------------------------------------------------------ the driver
def run_child(script: str, side: str, url: str, args: Sequence[str]) -> Result:
    """Run ``script --child SIDE --url URL ARGS`` and return the JSON it prints last."""
    command = [sys.executable, script, "--child", side, "--url", url, *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"{side} run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def child_main(
    side: str,
    bare: Callable[[], Coroutine[Any, Any, Result]],
    wsbdd: Callable[[], Result],
) -> int:
    """The ``--child SIDE`` branch: run that side once and print its result as JSON."""
    result = asyncio.run(bare()) if side == "bare" else wsbdd()
    print(json.dumps(result))
    return 0


def run_sides(
    script: str,
    child_args: Sequence[str],
    *,
    repeat: int,
    what: str,
    keys: Sequence[str],
    show: Callable[[Mapping[str, float]], str],
    lowest: Collection[str] = (),
) -> dict[str, dict[str, float]]:
    """Run both sides ``repeat`` times, alternating, each against a fresh server.

    Prints one line per run and the best per side (``show`` formats the
    figures); a run in which any ``what`` failed stops the bench. Returns the
    best of each figure in ``keys`` per side: the highest, or the lowest for
    those in ``lowest``.
    """
    results: dict[str, list[Result]] = {side: [] for side in SIDES}
    for side in alternate(repeat):
        with reference_server() as server:
            result = run_child(script, side, crowd_url(server), child_args)
        if result["failed"]:
            raise SystemExit(f"{side}: {result['failed']} {what} failed")
        results[side].append(result)
        print(f"  {side:6s} {show(result)}", flush=True)
    figures = {side: {key: best(runs, key, lowest=key in lowest) for key in keys}
               for side, runs in results.items()}
    print(f"bare websockets: {show(figures['bare'])}")
    print(f"wsbdd crowd:     {show(figures['wsbdd'])}")
    return figures


# ------------------------------------------------------------------------ the sides
async def worker_pool(count: int, job: Callable[[], Awaitable[None]],
                      concurrency: int = CONCURRENCY) -> None:
    """Run ``job`` ``count`` times, ``concurrency`` at a time (the bare side's crowd)."""
    todo = iter(range(count))

    async def worker() -> None:
        for _ in todo:
            await job()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def crowd_request(url: str, compression: str | None) -> ConnectRequest:
    """The ``ConnectRequest`` of every crowd member (same compression as the bare side)."""
    from wsbdd.runtime import ConnectRequest

    return ConnectRequest(url, compression="deflate" if compression else None)


async def open_crowd(manager: ClientManager, crowd: Crowd) -> CrowdReport:
    """Open ``crowd`` on the loop thread as ``Given N clients are connected`` does."""
    manager.add_crowd(crowd)
    return await crowd.open()


def rss() -> int:
    """This process's resident memory after a full collection (bytes)."""
    gc.collect()
    return psutil.Process().memory_info().rss


# ------------------------------------------------------------------------ verdicts
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
    """Print the ``RESULT`` record and ``label: ratio (target <= / >= T) ok|MISSED``.

    The record (``bench/results.py``) carries both figures for ``run_all.py``'s
    table and the verdict; returns True when the target is met.
    """
    record = emit(bench, label, wsbdd=wsbdd, baseline=bare, unit=unit, target=target,
                  at_most=at_most)
    sign = "<=" if at_most else ">="
    print(f"{label:34s} ratio {record['value']:5.2f}  (target {sign} {target:g})  "
          f"{'ok' if record['met'] else 'MISSED'}")
    return bool(record["met"])


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


def rounds_and_size(
    argv: Sequence[str] | None,
    doc: str | None,
    unit: str,
    *,
    quick: tuple[int, int],
    full: tuple[int, int],
) -> tuple[int, int]:
    """``--rounds R``, ``--UNITs N`` and ``--quick`` of an in-process bench: (rounds, N).

    ``quick`` and ``full`` are the (rounds, N) of ``--quick`` and of the default.
    """
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument(f"--{unit}s", type=int, default=None, dest="size",
                        help=f"{unit}s a round ({full[1]:,})")
    parser.add_argument("--rounds", type=int, default=None,
                        help=f"alternating rounds ({full[0]})")
    parser.add_argument("--quick", action="store_true",
                        help=f"{quick[0]} rounds of {quick[1]:,} {unit}s")
    args = parser.parse_args(argv)
    rounds, size = quick if args.quick else full
    return args.rounds or rounds, args.size or size


def compression_of(args: argparse.Namespace) -> str | None:
    """The websockets ``compression`` setting for ``--compression``."""
    return None if args.compression == "none" else "deflate"


def best(results: list[Result], key: str, *, lowest: bool = False) -> float:
    """The best ``key`` over ``results``: the highest, or the lowest."""
    values = [float(r[key]) for r in results]
    return min(values) if lowest else max(values)


def alternate(repeat: int) -> Iterator[str]:
    """bare, wsbdd, wsbdd, bare, bare, wsbdd, ... (neither side always goes first)."""
    for round_ in range(repeat):
        yield from (SIDES if round_ % 2 == 0 else reversed(SIDES))


# ------------------------------------------------------------------------ wsbdd projects
def environ_without_wsbdd() -> dict[str, str]:
    """This process's environment minus every ``WSBDD_*`` variable (a run sees only its own)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}


def wsbdd_project(
    project: Path,
    env: Mapping[str, str],
    features: Mapping[str, str],
    steps: Mapping[str, str] | None = None,
) -> Path:
    """Write a behave project using wsbdd's steps and hooks; returns ``project``.

    ``env`` becomes ``environments/bench.env`` (run it with ``--env bench``),
    ``features`` and ``steps`` map file names to their text (wsbdd's own
    steps are always there).
    """
    for sub in ("features", "steps", "environments"):
        (project / sub).mkdir(parents=True, exist_ok=True)
    (project / "environment.py").write_text("from wsbdd.hooks import *  # noqa\n")
    (project / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *  # noqa\n")
    for name, text in (steps or {}).items():
        (project / "steps" / name).write_text(text)
    (project / "environments" / "bench.env").write_text(
        "".join(f"{key}={value}\n" for key, value in env.items()))
    for name, text in features.items():
        (project / "features" / name).write_text(text)
    return project
