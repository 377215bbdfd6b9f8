"""Framework cost per scenario: ``wsbdd run`` vs. behave with empty steps vs. a bare script.

One feature of N identical simple scenarios, each

    Given client A is connected as alice
    When client A sends {"type": "ping"}
    Then client A receives {"type": "pong"} within 2 s
    When client A disconnects

is run these ways against one reference server (a subprocess, shared):

* **wsbdd**: ``python -m wsbdd run -f null`` in a project using the wsbdd
  steps and hooks (``WSBDD_SERVER=none``, the server's URL), **Allure on** as
  users run it (the judged figure);
* **wsbdd-no-allure**: the same with ``--no-allure`` (information: what the
  Allure reporting costs is the difference between the two);
* **wsbdd-results-in-memory**: Allure on, its results folder on tmpfs
  (``/dev/shm``; skipped where there is none). Information: a scenario
  writes three files (its result and a client's two transcripts), and
  creating a file on a disk costs from 0.05 to 1 ms of kernel time depending
  on its writeback state; the difference to the judged line is the disk's
  share;
* **behave, empty steps**: ``python -m behave -f null`` on the same feature
  with step definitions that do nothing (behave's own parsing, matching,
  hooks and bookkeeping; no network);
* **behave-empty-allure**: the same, with allure-behave's own formatter
  writing Allure results (information: what Allure costs any behave suite,
  one result and one container file a scenario, no attachment; wsbdd's Allure
  share beyond it is its transcripts and its redaction);
* **bare**: one Python process doing the same work with ``websockets``
  directly, in one event loop: N times connect as alice, send the ping, read
  until the pong, close.

Each is timed (wall clock, process start to exit) for two sizes N1 < N2; the
per-scenario cost is the slope ``(T(N2) - T(N1)) / (N2 - N1)``, so process
start-up and imports are not smeared over the scenarios (start-up is reported
separately). wsbdd's framework overhead per scenario is
``wsbdd - (behave-empty + bare)``: what wsbdd costs beyond behave itself and
beyond the network work any client must do. Target: <= +3 ms with Allure on.
Sides alternate in order round by round (forwards, then backwards).

    .venv/bin/python bench/scenario_cost.py            # 50 and 1050 scenarios, best of 3
    .venv/bin/python bench/scenario_cost.py --quick    # 20 and 220 scenarios, once
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, environ_without_wsbdd, reference_server, wsbdd_project

SCENARIO = """\
  Scenario: ping {i}
    Given client A is connected as alice
    When client A sends {{"type": "ping"}}
    Then client A receives {{"type": "pong"}} within 2 s
    When client A disconnects
"""

EMPTY_STEPS = '''\
"""The cost scenario's phrases, doing nothing: behave's own per-scenario cost."""

from behave import given, then, when


@given("client A is connected as alice")
def connected(context):
    pass


@when('client A sends {{"type": "ping"}}')
def sends(context):
    pass


@then('client A receives {{"type": "pong"}} within 2 s')
def receives(context):
    pass


@when("client A disconnects")
def disconnects(context):
    pass
'''

IN_MEMORY = Path("/dev/shm")
"""A tmpfs for the results-in-memory side (Linux)."""
RESULTS = f"wsbdd-cost-results-{os.getpid()}"
"""The results-in-memory side's folder in :data:`IN_MEMORY` (removed at the end)."""
SIDES = ("wsbdd", "wsbdd-no-allure", "wsbdd-results-in-memory", "behave-empty",
         "behave-empty-allure", "bare")
ALLURE_BEHAVE = "allure_behave.formatter:AllureFormatter"
"""allure-behave's own formatter (the behave-empty-allure side)."""
REPORT_OPTIONS = {
    "wsbdd": [],
    "wsbdd-no-allure": ["--no-allure"],
    "wsbdd-results-in-memory": ["--allure-dir", str(IN_MEMORY / RESULTS)],
}
"""The ``wsbdd run`` options of each wsbdd side (the default: Allure results in the project)."""


def feature(count: int) -> str:
    """The feature text: ``count`` identical scenarios."""
    body = "\n".join(SCENARIO.format(i=i) for i in range(count))
    return f"Feature: framework cost\n\n{body}"


def write_projects(root: Path, count: int, ws_url: str, http_url: str) -> dict[str, Path]:
    """Two behave projects with the same feature: wsbdd's steps, and empty ones."""
    wsbdd = wsbdd_project(
        root / f"wsbdd-{count}",
        {"WSBDD_SERVER": "none", "WSBDD_URL": ws_url, "WSBDD_HTTP_URL": http_url,
         "WSBDD_TIMEOUT": "2 s", "WSBDD_TOKEN_ALICE": "alice-token",
         # as the shipped environments: the welcome confirms a connect at once
         # (without a profile every connect waits the settle time, 100 ms)
         "WSBDD_PROFILE": "chat"},
        {"cost.feature": feature(count)},
    )
    empty = root / f"empty-{count}"
    (empty / "features").mkdir(parents=True)
    (empty / "steps").mkdir()
    # parse-style patterns: doubled braces are literal braces
    (empty / "steps" / "empty_steps.py").write_text(EMPTY_STEPS)
    (empty / "features" / "cost.feature").write_text(feature(count))
    return {"wsbdd": wsbdd, "wsbdd-no-allure": wsbdd, "wsbdd-results-in-memory": wsbdd,
            "behave-empty": empty, "behave-empty-allure": empty}


def command(side: str, count: int, ws_url: str) -> list[str]:
    if side.startswith("wsbdd"):
        return [sys.executable, "-m", "wsbdd", "run", "--env", "bench", *REPORT_OPTIONS[side],
                "-f", "null", "features/cost.feature"]
    if side == "behave-empty":
        return [sys.executable, "-m", "behave", "-f", "null", "features/cost.feature"]
    if side == "behave-empty-allure":
        return [sys.executable, "-m", "behave", "-f", ALLURE_BEHAVE, "-o", "allure-results",
                "features/cost.feature"]
    return [sys.executable, __file__, "--bare-child", ws_url, str(count)]


def timed_run(side: str, count: int, ws_url: str, projects: dict[str, Path]
              ) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run; fails loudly unless every scenario passed.

    The CPU time is the run's own process (and its children), not the shared
    server's: on a loaded machine it moves far less than the wall time.
    """
    environ = environ_without_wsbdd()
    environ["PYTHONPATH"] = str(ROOT)
    cwd = projects.get(side, ROOT)
    if side == "behave-empty-allure":  # allure-behave adds to its folder: start each run empty
        shutil.rmtree(cwd / "allure-results", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command(side, count, ws_url), cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=600, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise SystemExit(f"{side} ({count} scenarios) failed ({done.returncode}):\n"
                         f"{output[-3000:]}")
    if side != "bare" and f"{count} scenarios passed, 0 failed" not in output:
        raise SystemExit(f"{side}: expected all {count} scenarios to pass:\n{output[-2000:]}")
    return elapsed, cpu


async def bare_scenarios(ws_url: str, count: int) -> None:
    """The same work with websockets directly: connect, ping, read to the pong, close."""
    from websockets.asyncio.client import connect

    for _ in range(count):
        async with connect(f"{ws_url}?token=alice-token", proxy=None) as ws:
            await ws.send(json.dumps({"type": "ping"}))
            while json.loads(await asyncio.wait_for(ws.recv(), 2)).get("type") != "pong":
                pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, metavar=("N1", "N2"), default=None,
                        help="scenario counts of the two runs (default 50 1050; quick 20 220)")
    parser.add_argument("--repeat", type=int, default=None, help="keep the fastest of R runs")
    parser.add_argument("--quick", action="store_true", help="20 and 220 scenarios, once")
    parser.add_argument("--bare-child", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_child:
        asyncio.run(bare_scenarios(args.bare_child[0], int(args.bare_child[1])))
        return 0
    n1, n2 = args.sizes or ((20, 220) if args.quick else (50, 1050))
    if not 0 < n1 < n2:
        parser.error("--sizes needs 0 < N1 < N2")
    repeat = args.repeat or (1 if args.quick else 3)

    from results import emit

    print(f"framework cost per scenario: {n1} and {n2} scenarios "
          "(connect, ping, pong, disconnect), fastest of "
          f"{repeat}", flush=True)
    sides = tuple(s for s in SIDES if s != "wsbdd-results-in-memory" or IN_MEMORY.is_dir())
    times: dict[str, dict[int, float]] = {side: {} for side in sides}
    cpus: dict[str, dict[int, float]] = {side: {} for side in sides}
    try:
        with reference_server() as server, \
                tempfile.TemporaryDirectory(prefix="wsbdd-cost-") as tmp:
            ws_url, http_url = server.ws_url, server.http_url
            assert ws_url is not None and http_url is not None
            projects = {n: write_projects(Path(tmp), n, ws_url, http_url) for n in (n1, n2)}
            for round_ in range(repeat):
                order = sides if round_ % 2 == 0 else tuple(reversed(sides))
                for side in order:
                    for n in (n1, n2):
                        elapsed, cpu = timed_run(side, n, ws_url, projects[n])
                        best = times[side].get(n)
                        times[side][n] = elapsed if best is None else min(best, elapsed)
                        cpus[side][n] = min(cpu, cpus[side].get(n, cpu))
                        print(f"  {side:24s} {n:4d} scenarios {elapsed:7.2f} s wall "
                              f"{cpu:7.2f} s CPU", flush=True)
    finally:
        shutil.rmtree(IN_MEMORY / RESULTS, ignore_errors=True)

    slope = {side: (t[n2] - t[n1]) / (n2 - n1) * 1000 for side, t in times.items()}
    startup = {side: times[side][n1] * 1000 - n1 * slope[side] for side in sides}
    cpu_slope = {side: (c[n2] - c[n1]) / (n2 - n1) * 1000 for side, c in cpus.items()}
    print(f"{'':25s}{'ms/scenario':>12s}{'start-up ms':>13s}{'CPU ms/scenario':>17s}")
    for side in sides:
        print(f"{side:25s}{slope[side]:12.2f}{startup[side]:13.0f}{cpu_slope[side]:17.2f}")
    cpu_base = cpu_slope["behave-empty"] + cpu_slope["bare"]
    print(f"CPU per scenario beyond behave-empty + bare: Allure on "
          f"{cpu_slope['wsbdd'] - cpu_base:+.2f} ms, --no-allure "
          f"{cpu_slope['wsbdd-no-allure'] - cpu_base:+.2f} ms")
    allure_behave = slope["behave-empty-allure"] - slope["behave-empty"]
    allure_behave_cpu = cpu_slope["behave-empty-allure"] - cpu_slope["behave-empty"]
    print(f"allure-behave's own cost (empty steps, its formatter on): {allure_behave:+.2f} ms "
          f"per scenario, CPU {allure_behave_cpu:+.2f} ms; wsbdd's Allure share: "
          f"{slope['wsbdd'] - slope['wsbdd-no-allure']:+.2f} ms, CPU "
          f"{cpu_slope['wsbdd'] - cpu_slope['wsbdd-no-allure']:+.2f} ms")
    baseline = slope["behave-empty"] + slope["bare"]
    overhead = slope["wsbdd"] - baseline
    quiet = slope["wsbdd-no-allure"] - baseline
    print(f"wsbdd's framework overhead, Allure on: {overhead:+.2f} ms per scenario "
          f"(--no-allure: {quiet:+.2f} ms) beyond behave's own "
          f"{slope['behave-empty']:.2f} ms and the bare work's {slope['bare']:.2f} ms")
    record = emit("scenario_cost",
                  "framework cost per scenario, Allure on (vs behave-empty + bare)",
                  wsbdd=slope["wsbdd"], baseline=baseline, unit="ms/scenario",
                  compare="difference", target=3.0, at_most=True,
                  behave_empty=slope["behave-empty"], bare=slope["bare"],
                  startup_ms={side: round(v) for side, v in startup.items()}, sizes=[n1, n2])
    emit("scenario_cost", "framework cost per scenario, --no-allure (vs behave-empty + bare)",
         wsbdd=slope["wsbdd-no-allure"], baseline=baseline, unit="ms/scenario",
         compare="difference", note="information: Allure's share is the difference")
    if "wsbdd-results-in-memory" in slope:
        emit("scenario_cost",
             "framework cost per scenario, Allure on, results on tmpfs (vs behave-empty + bare)",
             wsbdd=slope["wsbdd-results-in-memory"], baseline=baseline, unit="ms/scenario",
             compare="difference",
             note="information: creating the result files on the disk is the difference")
    emit("scenario_cost", "framework CPU per scenario, Allure on (vs behave-empty + bare)",
         wsbdd=cpu_slope["wsbdd"], baseline=cpu_base, unit="ms/scenario",
         compare="difference", target=3.0, at_most=True,
         note="CPU of the run's process: steadier than wall time on a shared machine")
    emit("scenario_cost", "framework CPU per scenario, --no-allure (vs behave-empty + bare)",
         wsbdd=cpu_slope["wsbdd-no-allure"], baseline=cpu_base, unit="ms/scenario",
         compare="difference", note="information")
    emit("scenario_cost", "allure-behave's own cost per scenario (behave-empty with it)",
         wsbdd=slope["behave-empty-allure"], baseline=slope["behave-empty"],
         unit="ms/scenario", compare="difference",
         note="information: what Allure costs any behave suite, no attachment")
    emit("scenario_cost", "start-up, Allure on (intercept of the two sizes)",
         wsbdd=startup["wsbdd"], baseline=startup["behave-empty"], unit="ms",
         compare="difference", note="information: wsbdd run vs behave start-up")
    return 0 if record["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
