"""Smoke test of the benchmark runner: it lists every bench and each one parses its arguments.

No benchmark runs here and nothing is timed (timings never live in unit
tests); ``bench/run_all.py --list --check`` only runs each bench's ``--help``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import results  # noqa: E402
import run_all  # noqa: E402


def test_every_bench_is_listed_and_parses_its_arguments() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--list", "--check"],
        capture_output=True, text=True, timeout=110, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for bench in run_all.BENCHES:
        assert f"bench/{bench.script}" in done.stdout
    present = [b for b in run_all.BENCHES if b.path.exists()]
    assert done.stdout.count("arguments: ok") == len(present), done.stdout


def test_an_unknown_bench_name_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown bench nope"):
        run_all.select("fanout,nope", None)


def test_result_lines_round_trip_with_their_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    results.emit("fanout", "fan-out", wsbdd=65.0, baseline=100.0, unit="msg/s", target=0.7)
    results.emit("latency", "added", wsbdd=130.0, baseline=100.0, unit="µs",
                 compare="difference", target=20.0, at_most=True)
    results.emit("suite_time", "suite", wsbdd=30.0, baseline=None, unit="s",
                 compare="absolute", target=60.0, at_most=True, passed=False)
    lines = capsys.readouterr().out.splitlines()
    records = [results.parse(line) for line in lines]
    assert [(r["value"], r["met"]) for r in records if r] == [(0.65, False), (30.0, False),
                                                              (30.0, False)]
    assert results.parse("fan-out: 1000 subscribers") is None


def test_a_crowd_bench_verdict_is_a_result_record(capsys: pytest.CaptureFixture[str]) -> None:
    import _common

    assert _common.verdict("connections", "memory per connection", 1100.0, 1000.0, 1.2,
                           unit="bytes", at_most=True) is True
    assert _common.verdict("cycles", "connect/disconnect rate", 800.0, 1000.0, 0.9,
                           unit="cycles/s", at_most=False) is False
    records = [results.parse(line) for line in capsys.readouterr().out.splitlines()]
    met, missed = [r for r in records if r is not None]
    assert (met["bench"], met["wsbdd"], met["baseline"], met["met"]) == (
        "connections", 1100.0, 1000.0, True)
    assert (missed["name"], missed["value"], missed["met"]) == (
        "connect/disconnect rate", 0.8, False)


def test_a_crowd_bench_verdict_prints_the_records_ratio(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import _common

    assert _common.verdict("fanout", "fan-out", 65.0, 100.0, 0.7, unit="msg/s",
                           at_most=False) is False
    lines = capsys.readouterr().out.splitlines()
    record = results.parse(lines[0])
    assert record is not None and record["value"] == 0.65 and record["met"] is False
    assert "ratio  0.65  (target >= 0.7)  MISSED" in lines[1], lines


def test_the_wsbdd_project_writer_and_the_scrubbed_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import _common

    project = _common.wsbdd_project(
        tmp_path / "p", {"WSBDD_SERVER": "none", "WSBDD_TIMEOUT": "2 s"},
        {"a.feature": "Feature: a\n"}, {"extra_steps.py": "# extra\n"})
    assert (project / "environments" / "bench.env").read_text() == (
        "WSBDD_SERVER=none\nWSBDD_TIMEOUT=2 s\n")
    assert (project / "features" / "a.feature").read_text() == "Feature: a\n"
    assert (project / "steps" / "extra_steps.py").read_text() == "# extra\n"
    assert "wsbdd.steps" in (project / "steps" / "wsbdd_steps.py").read_text()
    assert "wsbdd.hooks" in (project / "environment.py").read_text()
    monkeypatch.setenv("WSBDD_URL", "ws://elsewhere")
    monkeypatch.setenv("KEEP_ME", "1")
    scrubbed = _common.environ_without_wsbdd()
    assert "WSBDD_URL" not in scrubbed and scrubbed["KEEP_ME"] == "1"


def test_the_worker_pool_runs_every_job_with_bounded_concurrency() -> None:
    import asyncio

    import _common

    running, peak, done = 0, 0, 0

    async def job() -> None:
        nonlocal running, peak, done
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0)
        running -= 1
        done += 1

    asyncio.run(_common.worker_pool(25, job, concurrency=4))
    assert (done, peak) == (25, 4)


def test_the_peer_comparisons_own_step_module_imports_what_exists() -> None:
    # crowd_compare.py writes this module into a temporary project; a name it
    # imports that wsbdd no longer has would only fail at run time, deep in the bench.
    import ast
    import importlib

    import crowd_compare

    for node in ast.walk(ast.parse(crowd_compare.BENCH_STEPS)):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"
