"""SIGTERM and SIGINT to ``wsbdd run``: the run stops at once, cleans up and leaves a report.

A real ``wsbdd run`` subprocess (embedded reference server) runs a scenario
that waits 60 s for a message that never comes, after a step that writes a
marker file. Once the marker exists (the long step has started), the test
sends the signal and checks: the run ended within 5 s, the embedded server
process is gone (not orphaned), a second server (in this process) received
a close frame from its client (closed by wsbdd, not cut when the process
died), and the Allure results hold the scenario that ran before and the
interrupted one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.features.harness import TOKENS, BehaveProject
from tests.integration.fixture_servers import ServerThread, hold

STOP_WITHIN = 5.0
START_WITHIN = 60.0

MARKER_STEPS = """
from pathlib import Path

from behave import step

from wsbdd.steps import *  # noqa


@step('the marker "{name}" is written')
def marker(context, name):
    # written whole, then renamed: the test reads it as soon as it exists
    Path(name + ".part").write_text(str(context.wsbdd.run.server.pid))
    Path(name + ".part").replace(name)
"""

FEATURE = """
Feature: a long run

  Scenario: a quick one first
    Given client A is connected as alice
    When client A sends {"type": "ping"}
    Then client A receives {"type": "pong"} within 5 s

  Scenario: a long wait
    Given client A is connected as alice
    And client B connects to "${HOLD_URL}"
    And the marker "started" is written
    Then client A receives {"type": "never-sent"} within 60 s

  Scenario: never reached
    Given client A is connected as alice
"""


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_WITHIN
    while not path.exists():
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"wsbdd run ended before the long step:\n{out}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the long step did not start")
        time.sleep(0.05)  # polling a file the run writes; not a synchronisation sleep


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_run_cleans_up_and_leaves_a_report(
    tmp_path: Path, signum: signal.Signals
) -> None:
    servers = ServerThread()
    held = servers.websocket(hold)
    try:
        _run_and_signal(tmp_path, signum, held.url)
        servers.run(held.until(lambda: len(held.closes) == 1))
        assert held.closes[0].rcvd, held.closes  # a close frame: wsbdd closed client B
    finally:
        servers.close()


def _run_and_signal(tmp_path: Path, signum: signal.Signals, hold_url: str) -> None:
    project = BehaveProject(
        tmp_path / "project",
        {"WSBDD_SERVER": "embedded", "WSBDD_TIMEOUT": "5 s", "HOLD_URL": hold_url, **TOKENS},
    )
    project.file("steps/wsbdd_steps.py", MARKER_STEPS)
    project.feature(FEATURE)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    environ["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, "-m", "wsbdd", "run", "--env", "test", "--no-color"]
    proc = subprocess.Popen(
        command,
        cwd=project.root,
        env=environ,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        marker = project.root / "started"
        _wait_for(marker, proc)
        server_pid = int(marker.read_text())
        server = psutil.Process(server_pid)
        sent_at = time.monotonic()
        proc.send_signal(signum)
        try:
            output, _ = proc.communicate(timeout=STOP_WITHIN + 5)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
            raise AssertionError(f"wsbdd run did not stop after {signum.name}:\n{output}") from None
        stopped_in = time.monotonic() - sent_at
    finally:
        if proc.poll() is None:
            proc.kill()
    assert stopped_in < STOP_WITHIN, f"stopped {stopped_in:.1f} s after {signum.name}\n{output}"
    assert proc.returncode != 0, output
    try:
        server.wait(timeout=STOP_WITHIN)
    except psutil.TimeoutExpired:
        server.kill()
        raise AssertionError(f"the embedded server (pid {server_pid}) outlived the run") from None
    assert "Traceback" not in output, output
    assert "interrupted" in output.lower(), output
    results = project.root / "reports" / "allure-results"
    statuses = {}
    for path in results.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        statuses[data["name"]] = data["status"]
    assert statuses.get("a quick one first") == "passed", statuses
    assert "a long wait" in statuses and statuses["a long wait"] != "passed", statuses
    assert (results / "environment.properties").exists()


def test_stop_every_server_stops_what_the_run_left_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import weakref

    from wsbdd.server import managed
    from wsbdd.server.managed import ManagedServer, stop_every_server

    # Only this test's server: the session's shared reference server (other
    # feature tests use it after this one) must keep running.
    monkeypatch.setattr(managed, "_RUNNING", weakref.WeakSet())
    server = ManagedServer.embedded([])
    server.start()
    pid = server.pid
    assert pid is not None and psutil.pid_exists(pid)
    stop_every_server(timeout=2.0)
    assert not server.running
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
