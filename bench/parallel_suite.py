"""The shipped suite over 4 worker processes against the same suite run serially.

Runs ``python -m wsbdd run`` in the repository (the ``local`` environment:
each run starts its own embedded reference servers) with Allure results on,
serially and with ``--processes 4``, alternating (serial first), each run
timed from process start to exit and required to be green. The parallel runs
balance by the durations of the serial run before them (its JSON report,
written into the durations file a parallel run reads; see docs/parallel.md).

Target: the parallel run in at most 0.5x the serial wall time on 2 cores.

    .venv/bin/python bench/parallel_suite.py            # 2 runs per side, fastest kept
    .venv/bin/python bench/parallel_suite.py --quick    # 1 run per side
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, alternate, environ_without_wsbdd
from results import emit

TARGET = 0.5
PROCESSES = 4
SUMMARY = re.compile(r"^(\d+) scenarios? passed, (\d+) failed", re.MULTILINE)


def durations_from_json(report: Path, target: Path) -> None:
    """behave's JSON report as the durations file of docs/parallel.md."""
    scenarios = {}
    for feature in json.loads(report.read_text()):
        for element in feature.get("elements", []):
            if element.get("type") == "scenario":
                seconds = sum(s.get("result", {}).get("duration", 0.0) for s in element["steps"])
                scenarios[f"{feature['location'].split(':')[0]}::{element['name']}"] = seconds
    target.write_text(json.dumps({"version": 1, "scenarios": scenarios}))


PARTS = re.compile(r"^Ran in .*$", re.MULTILINE)


def run_suite(side: str, work: Path, timeout: float) -> tuple[float, int, int, str]:
    """Wall seconds, scenarios passed, scenarios failed (or errored), output tail.

    For a parallel run that passed, the tail is its last line (the parts' times).
    """
    allure = work / f"allure-{side}-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "wsbdd", "run", "--allure-dir", str(allure)]
    if side == "parallel":
        command += ["--processes", str(PROCESSES), "--durations-file", str(work / "durations.json")]
    else:  # behave pairs each -o with the -f of the same rank: the JSON report first
        command += ["-f", "json", "-o", str(work / "serial.json")]
    command += ["-f", "progress"]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, env=environ_without_wsbdd(), capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, 0, 1, f"did not finish within {timeout:.0f} s"
    elapsed = time.perf_counter() - start
    output = done.stdout + done.stderr
    found = SUMMARY.search(output)
    if found is None:
        return elapsed, 0, 1, output[-2000:]
    passed, failed = int(found[1]), int(found[2])
    # one result per scenario (the AsyncAPI coverage's own result aside)
    results = sum(1 for p in allure.glob("*-result.json") if '"asyncapi:' not in p.read_text())
    if done.returncode != 0 or results != passed + failed:
        failed = max(failed, 1)
    if side == "serial" and (work / "serial.json").exists():
        durations_from_json(work / "serial.json", work / "durations.json")
    parts = PARTS.search(output)
    if not failed and parts is not None:
        return elapsed, passed, failed, parts[0]
    return elapsed, passed, failed, output[-2000:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=None, help="runs per side (fastest kept)")
    parser.add_argument("--quick", action="store_true", help="one run per side")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 2)
    print(f"shipped suite, serial vs --processes {PROCESSES}, Allure on, "
          f"alternating, fastest of {repeat}", flush=True)
    best: dict[str, float] = {}
    green = True
    with tempfile.TemporaryDirectory(prefix="wsbdd-bench-parallel-") as folder:
        work = Path(folder)
        for bench_side in alternate(repeat):  # "bare" first: the serial run
            side = "serial" if bench_side == "bare" else "parallel"
            elapsed, passed, failed, tail = run_suite(side, work, args.timeout)
            print(f"  {side:8s} {elapsed:6.1f} s  {passed} scenarios passed, {failed} failed",
                  flush=True)
            if failed:
                green = False
                print(tail, flush=True)
            elif side == "parallel":
                print(f"           {tail}", flush=True)
            best[side] = min(best.get(side, elapsed), elapsed)
    ratio = best["parallel"] / best["serial"]
    print(f"parallel / serial: {ratio:.2f} (target <= {TARGET:g})")
    record = emit("parallel_suite", f"shipped suite, --processes {PROCESSES} / serial",
                  wsbdd=best["parallel"], baseline=best["serial"], unit="s", target=TARGET,
                  at_most=True, passed=green, note="" if green else "RED: a run failed")
    return 0 if record["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
