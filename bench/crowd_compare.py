"""Peer comparison: the same crowd scenario run by wsbdd, k6 and Artillery.

The scenario: N clients connect to the reference server as carol, subscribe
to ``room:bench``, each receive M broadcast messages, and disconnect. What
each tool runs (a fresh reference server per run, a subprocess):

* **wsbdd**: ``python -m wsbdd run`` (Allure on, as users run it) on a
  one-scenario feature in a temporary project (``WSBDD_SERVER=none``)::

      Given N clients are connected as carol and subscribed to room:bench
      Then each of the N clients has received M+2 messages within 120 s

  (M+2: the welcome and the subscribe ack come first.) The crowd opens 200
  at a time and awaits every subscribe ack; the end-of-scenario reset closes
  every client. The ``Then`` phrase is this bench's own step on the crowd
  runtime's counters: like the shipped "each of the N clients receives M
  messages within T" it waits on the counters, and it also prints the exact
  total received, which this comparison reports.
* **k6** (``bench/k6/``: ``crowd.js`` with ``k6/experimental/websockets``):
  N VUs start at once, one iteration each; installed from PyPI by the bench.
* **Artillery** (``bench/artillery/``: ``crowd.yml`` + ``crowd.js``, the ``ws``
  engine): N arrivals within 10 ms (as near to at once as its arrival timer
  goes); installed with npm by the bench.

Fairness: every tool's process gets the same open-files limit (raised to the
hard limit before it starts), the same all-at-once arrival pattern, and the
**same publisher** (a separate process, a plain websockets connection as
alice) that polls the server's ``/metrics`` — retrying through refused or
slow answers during a connect storm — until it reports N subscriptions, then
publishes the M messages. Tools alternate order run by run; the fastest
passing run of ``--repeat`` is kept. Measured per run: wall time of the tool
(process start to exit), the time at which all N were subscribed, the peak
resident memory of the tool's process tree (psutil, sampled every 20 ms), and
the messages the tool reports it received.

    .venv/bin/python bench/crowd_compare.py            # N = 100, 1000, 5000, 10000, best of 2
    .venv/bin/python bench/crowd_compare.py --quick    # N = 100, 1000, once
    .venv/bin/python bench/crowd_compare.py --tools wsbdd k6 -n 100
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _common import ROOT, environ_without_wsbdd, reference_server, wsbdd_project  # noqa: E402
from artillery import peer as artillery_peer  # noqa: E402
from k6 import peer as k6_peer  # noqa: E402

PEERS = {"k6": k6_peer, "artillery": artillery_peer}
TOOLS = ("wsbdd", "k6", "artillery")

CHANNEL = "room:bench"
RECEIVE_LIMIT_S = 120
SAMPLE_S = 0.02

BENCH_STEPS = '''\
"""The comparison's receipt check on the crowd runtime's counters (bench only)."""

from behave import then

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.steps._common import session
from wsbdd.core.timing import parse_duration as duration


@then("each of the {count:d} clients has received {wanted:d} messages within {within}")
def crowd_received(context, count, wanted, within):
    ops = session(context).crowds
    crowd = ops.find(count)
    limit = duration(within)

    async def wait(manager):
        # each member gets exactly `wanted` frames here, so the total tells
        return await crowd.wait_until(lambda: crowd.received >= count * wanted, limit)

    session(context).clients.run(wait, limit + 5)
    short = [m for m in crowd.members if m.received < wanted]
    print(f"BENCH received={crowd.received}", flush=True)
    if short:
        raise ExpectationFailed(
            f"{len(short)} of {count} clients received fewer than {wanted} messages "
            f"within {within} (e.g. {short[0]!r})"
        )
'''


@dataclass
class Run:
    tool: str
    clients: int
    messages: int
    wall_s: float = 0.0
    subscribed_s: float | None = None
    peak_rss: int = 0
    received: int | None = None
    ok: bool = False
    problem: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def expected(self) -> int:
        return self.clients * self.messages


# -------------------------------------------------------------------------- wsbdd
def crowd_project(root: Path, ws_url: str, http_url: str, n: int, m: int) -> Path:
    feature = (
        "Feature: crowd broadcast (the peer comparison)\n\n"
        f"  Scenario: {n} subscribers each receive {m} broadcast messages\n"
        f"    Given {n} clients are connected as carol and subscribed to {CHANNEL}\n"
        "    # the welcome and the subscribe ack, then the broadcasts\n"
        f"    Then each of the {n} clients has received {m + 2} messages "
        f"within {RECEIVE_LIMIT_S} s\n"
    )
    return wsbdd_project(
        Path(tempfile.mkdtemp(prefix=f"wsbdd-{n}-", dir=root)),
        {"WSBDD_SERVER": "none", "WSBDD_URL": ws_url, "WSBDD_HTTP_URL": http_url,
         "WSBDD_PROFILE": "chat", "WSBDD_TIMEOUT": "10 s", "WSBDD_TOKEN_CAROL": "carol-token"},
        {"crowd.feature": feature},
        {"bench_steps.py": BENCH_STEPS},
    )


def wsbdd_command() -> list[str]:
    return [sys.executable, "-m", "wsbdd", "run", "--env", "bench", "--allure-dir",
            "allure-results", "-f", "plain", "--no-capture", "features/crowd.feature"]


def same_limits() -> None:
    """In every tool's child before exec: the open-files limit raised to the hard limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# -------------------------------------------------------------------------- publisher
def publisher(http_url: str, ws_url: str, n: int, m: int, limit: float) -> int:
    """Wait for N subscriptions on the server, publish M messages, print when (JSON)."""
    import asyncio

    import httpx
    from websockets.asyncio.client import connect

    started = time.monotonic()
    deadline = started + limit
    subs, problem = 0, ""
    with httpx.Client(timeout=2) as http:
        while True:
            try:  # a connect storm can refuse or stall one poll: retry until the deadline
                subs = int(http.get(f"{http_url}/metrics").json()["subscriptions"])
            except (httpx.HTTPError, ValueError, KeyError) as error:
                problem = f" (last poll: {type(error).__name__})"
            if subs >= n:
                break
            if time.monotonic() > deadline:
                print(json.dumps({"error": f"only {subs} of {n} subscribed after {limit} s"
                                           f"{problem}"}))
                return 1
            time.sleep(0.02)
    subscribed_at = time.monotonic()

    async def publish() -> float:
        async with connect(f"{ws_url}?token=alice-token", compression=None, open_timeout=30,
                           ping_interval=None, proxy=None) as ws:
            await ws.recv()  # welcome
            for i in range(m):
                await ws.send(json.dumps({"type": "message", "channel": CHANNEL,
                                          "text": "x" * 64, "mark": i}))
            sent = time.monotonic()
            await ws.send(json.dumps({"type": "ping"}))  # the server read them all
            while json.loads(await ws.recv()).get("type") != "pong":
                pass
            return sent

    published_at = asyncio.run(publish())
    print(json.dumps({"subscribed_at": subscribed_at, "published_at": published_at}))
    return 0


# -------------------------------------------------------------------------- one run
def tree_rss(proc: Any) -> int:
    import psutil

    total = 0
    with contextlib.suppress(psutil.NoSuchProcess):
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                total += p.memory_info().rss
    return total


def run_one(tool: str, n: int, m: int, timeout: float, tmp: Path) -> Run:
    import psutil

    run = Run(tool, n, m)
    environ = environ_without_wsbdd()
    environ["PYTHONPATH"] = str(ROOT)
    environ["ARTILLERY_DISABLE_TELEMETRY"] = "true"
    with reference_server() as server:
        ws_url, http_url = server.ws_url, server.http_url
        assert ws_url is not None and http_url is not None
        report = Path(tempfile.mkdtemp(prefix=f"{tool}-{n}-", dir=tmp)) / "report.json"
        if tool == "wsbdd":
            cwd = crowd_project(tmp, ws_url, http_url, n, m)
            argv = wsbdd_command()
        else:
            peer = PEERS[tool]
            cwd = peer.HERE
            argv = peer.command(ws_url, n, m, RECEIVE_LIMIT_S, report)
        pub = subprocess.Popen(
            [sys.executable, __file__, "--publisher", http_url, ws_url, str(n), str(m),
             str(timeout)], env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        log = Path(tempfile.mkdtemp(prefix=f"{tool}-{n}-", dir=tmp)) / "output.log"
        with log.open("w") as out:
            start = time.monotonic()
            proc = subprocess.Popen(argv, cwd=cwd, env=environ, stdout=out,
                                    stderr=subprocess.STDOUT, preexec_fn=same_limits)
            watched = psutil.Process(proc.pid)
            while proc.poll() is None:
                run.peak_rss = max(run.peak_rss, tree_rss(watched))
                if time.monotonic() - start > timeout:
                    proc.kill()
                    run.problem = f"killed after {timeout:.0f} s"
                    break
                time.sleep(SAMPLE_S)
            code = proc.wait()
            run.wall_s = time.monotonic() - start
        try:
            pub_out, pub_err = pub.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pub.kill()
            pub_out, pub_err = pub.communicate()
        output = log.read_text()
    try:
        times = json.loads(pub_out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        times = {"error": f"publisher printed nothing: {pub_err[-500:]}"}
    if "subscribed_at" in times:
        run.subscribed_s = times["subscribed_at"] - start
    elif not run.problem:
        run.problem = str(times.get("error"))
    if tool == "wsbdd":
        found = [line for line in output.splitlines() if line.startswith("BENCH received=")]
        if found:  # the crowd's count includes welcome + ack: keep the broadcasts
            run.received = int(found[-1].split("=", 1)[1]) - 2 * n
    else:
        run.received, run.extra = PEERS[tool].received(report)
    if code != 0 and not run.problem:
        run.problem = f"exit status {code}: {output[-1500:]}"
    run.ok = not run.problem and run.received == run.expected
    if not run.ok and not run.problem:
        run.problem = f"received {run.received} of {run.expected}"
    return run


# -------------------------------------------------------------------------- driver
def show(run: Run) -> None:
    subscribed = f"{run.subscribed_s:6.2f}" if run.subscribed_s is not None else "   n/a"
    print(f"  {run.tool:9s} N={run.clients:<5d} wall {run.wall_s:7.2f} s  all subscribed at "
          f"{subscribed} s  peak RSS {run.peak_rss / 2**20:7.1f} MiB  received "
          f"{run.received}/{run.expected}  {'ok' if run.ok else run.problem}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--clients", type=int, nargs="+", default=None,
                        help="crowd sizes (default 100 1000 5000 10000; quick 100 1000)")
    parser.add_argument("-m", "--messages", type=int, default=10,
                        help="broadcast messages each client receives")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds one tool run may take before it is killed")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per tool and size, the fastest kept (default 2; quick 1)")
    parser.add_argument("--quick", action="store_true", help="N = 100 and 1000, once")
    parser.add_argument("--publisher", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.publisher:
        http_url, ws_url, n, m, limit = args.publisher
        return publisher(http_url, ws_url, int(n), int(m), float(limit))

    from results import emit

    sizes = args.clients or ([100, 1000] if args.quick else [100, 1000, 5000, 10_000])
    repeat = args.repeat or (1 if args.quick else 2)
    tools = list(args.tools)
    for name, peer in PEERS.items():
        if name in tools:
            problem = peer.ensure()
            if problem:
                print(f"{peer.NAME} side skipped: {problem}", flush=True)
                tools.remove(name)
            else:
                print(f"{peer.NAME}: {peer.version()}", flush=True)
    print(f"crowd scenario: N clients subscribe to {CHANNEL}, each receives "
          f"{args.messages} broadcasts; N = {', '.join(map(str, sizes))}; tools: "
          f"{', '.join(tools)}; fastest of {repeat}", flush=True)
    best: dict[tuple[str, int], Run] = {}
    with tempfile.TemporaryDirectory(prefix="wsbdd-peers-") as tmp:
        turn = 0
        for n in sizes:
            for _ in range(repeat):
                order = tools if turn % 2 == 0 else list(reversed(tools))
                turn += 1
                for tool in order:
                    run = run_one(tool, n, args.messages, args.timeout, Path(tmp))
                    kept = best.get((tool, n))
                    if kept is None or (not run.ok, run.wall_s) < (not kept.ok, kept.wall_s):
                        best[(tool, n)] = run
                    show(run)
    runs = list(best.values())
    print(f"\n{'N':>6s} {'tool':10s}{'wall s':>9s}{'subscribed s':>14s}{'peak RSS MiB':>14s}"
          f"{'received':>12s}")
    for run in sorted(runs, key=lambda r: (r.clients, r.tool)):
        subscribed = f"{run.subscribed_s:.2f}" if run.subscribed_s is not None else "n/a"
        print(f"{run.clients:6d} {run.tool:10s}{run.wall_s:9.2f}{subscribed:>14s}"
              f"{run.peak_rss / 2**20:14.1f}{run.received or 0:>8d}/{run.expected:<6d}"
              f"{'' if run.ok else '  ' + run.problem[:200]}")
    by = {(r.tool, r.clients): r for r in runs}
    failed = False
    for n in sizes:
        ours = by.get(("wsbdd", n))
        for name in [t for t in tools if t != "wsbdd"]:
            peer = by.get((name, n))
            failed |= any(r is not None and not r.ok for r in (ours, peer))
            if ours is None or peer is None:
                continue
            label = PEERS[name].NAME
            common = {"clients": n, "messages": args.messages, "baseline_name": label,
                      "wsbdd_received": ours.received, "baseline_received": peer.received,
                      "wsbdd_ok": ours.ok, "baseline_ok": peer.ok,
                      "wsbdd_subscribed_s": ours.subscribed_s,
                      "baseline_subscribed_s": peer.subscribed_s}
            # A run that failed is no figure: its row is shown as missed.
            both_ok = ours.ok and peer.ok
            emit("crowd_compare", f"crowd N={n}: wall time, wsbdd vs {label}",
                 wsbdd=ours.wall_s, baseline=peer.wall_s, unit="s", target=1.0,
                 at_most=True, passed=both_ok, **common)
            emit("crowd_compare", f"crowd N={n}: peak RSS of the load generator, wsbdd vs "
                 f"{label}", wsbdd=ours.peak_rss / 2**20, baseline=peer.peak_rss / 2**20,
                 unit="MiB", target=1.0, at_most=True, passed=both_ok, **common)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
