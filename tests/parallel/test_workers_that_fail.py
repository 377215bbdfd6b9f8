"""A worker that crashes or hangs: its scenarios are errors, with its output; the run ends."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.parallel.projects import WsbddProject, with_test_steps

PASSING = """
    Feature: Passing
      Scenario: One
        Given client A is connected as alice
        Then client A is connected

      Scenario: Two
        Given client A is connected as bob
        Then client A is connected
    """


def test_a_crashed_worker_is_an_error_of_the_scenarios_it_held(project: WsbddProject) -> None:
    with_test_steps(project)
    project.features(
        {
            "a_crash.feature": """
                Feature: Crash
                  Scenario: The worker dies here
                    Given client A is connected as alice
                    When the worker process dies
                """,
            "b_pass.feature": PASSING,
        }
    )
    done = project.run("-j", "2", "--parallel-element", "feature", name="parallel")
    out = done.run.output

    assert done.run.returncode == 1, out
    # behave's JSON report is written at the end of a worker: a crashed worker's is lost
    # (whichever scenarios it had finished); the summary and Allure still have them all.
    assert set(done.statuses.values()) <= {"passed"}
    assert "crashed (exit status 3); scenarios it held: features/a_crash.feature:2" in out
    assert "Errored scenarios:\n  features/a_crash.feature:2  The worker dies here" in out
    assert "2 scenarios passed, 0 failed, 1 error, 0 skipped" in out
    broken = [r for r in done.allure if r["status"] == "broken"]
    assert [r["name"] for r in broken] == ["The worker dies here"]
    assert len(done.allure) == 3


def test_a_crashed_worker_leaves_no_embedded_server_behind(project: WsbddProject) -> None:
    with_test_steps(project)
    project.project.write_env(
        "embedded", {"WSBDD_SERVER": "embedded", "WSBDD_TOKEN_ALICE": "alice-token"}
    )
    project.features(
        {
            "a_crash.feature": """
                Feature: Crash
                  Scenario: The worker dies here
                    Given client A is connected as alice
                    When the worker process dies
                """,
        }
    )
    done = project.run("-j", "1", name="parallel", env="embedded")
    assert done.run.returncode == 1, done.run.output
    assert "crashed (exit status 3)" in done.run.output
    assert not processes_in(project.root), "a process of the run is still alive"


def test_a_hung_worker_is_killed_after_the_worker_timeout(project: WsbddProject) -> None:
    with_test_steps(project)
    project.features(
        {
            "a_hang.feature": """
                Feature: Hang
                  Scenario: The worker hangs here
                    Given client A is connected as alice
                    When the worker process hangs
                """,
            "b_pass.feature": PASSING,
        }
    )
    started = time.monotonic()
    done = project.run(
        "-j", "2", "--parallel-element", "feature", "--worker-timeout", "3", name="parallel"
    )
    elapsed = time.monotonic() - started
    out = done.run.output

    assert done.run.returncode == 1, out
    assert elapsed < 60, f"the run took {elapsed:.0f} s"
    assert "finished no scenario for 3 s and was killed; scenarios it held: " in out
    assert "features/a_hang.feature:2" in out
    assert "2 scenarios passed, 0 failed, 1 error, 0 skipped" in out
    assert "Given client A is connected as alice" in out  # the worker's own output, shown
    assert not processes_in(project.root)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_every_worker_within_its_bound(
    project: WsbddProject, tmp_path: Path, signum: signal.Signals
) -> None:
    with_test_steps(project)
    project.features(
        {
            "a_hang.feature": """
                Feature: Hang
                  Scenario: The worker hangs here
                    When the worker process hangs
                """,
            "b_pass.feature": PASSING,
        }
    )
    fifo = tmp_path / "hanging.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    environ["TEST_FIFO"] = str(fifo)
    command = [sys.executable, "-m", "wsbdd", "run", "--env", "test", "--no-allure", "-j", "2"]
    with subprocess.Popen(
        command, cwd=project.root, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as run:
        try:
            ready, _, _ = select.select([reader], [], [], 60)
            assert ready, "the hanging step never started"
            family = psutil.Process(run.pid).children(recursive=True)
            assert len(family) >= 2  # the workers (and their children)
            run.send_signal(signum)
            out, _ = run.communicate(timeout=30)
        finally:
            os.close(reader)
            if run.poll() is None:
                run.kill()
    assert run.returncode == 128 + signum, out.decode()
    assert f"ABORTED: {signum.name} received, stopping the workers".encode() in out
    assert b"Errored scenarios:\n  features/a_hang.feature:2  The worker hangs here" in out
    _gone, alive = psutil.wait_procs(family, timeout=5)
    assert not alive, f"still running: {alive}"


def processes_in(root: Path) -> list[psutil.Process]:
    """The live processes whose working directory is ``root`` (a run's leftovers)."""
    found = []
    for proc in psutil.process_iter(["cwd", "status"]):
        if proc.info["cwd"] == str(root) and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(proc)
    return found


def test_a_crashed_workers_output_is_shown_without_secrets(project: WsbddProject) -> None:
    with_test_steps(project)
    project.features(
        {
            "a_crash.feature": """
                Feature: Crash
                  Scenario: The worker leaks a token and dies
                    Given client A is connected as alice
                    When the worker process prints "sending alice-token now" and dies
                """,
        }
    )
    done = project.run("-j", "1", name="parallel")
    out = done.run.output
    assert done.run.returncode == 1, out
    assert "sending *** now" in out, out  # the worker's last words, redacted
    assert "alice-token" not in out
    broken = [r for r in done.allure if r["status"] == "broken"]
    assert len(broken) == 1
    trace = str(broken[0]["statusDetails"])
    assert "sending *** now" in trace and "alice-token" not in trace


def _interrupted_while_setting_up(errors: str) -> None:
    """A forked worker whose supervisor stops it while it sets itself up (in ``chdir``)."""
    from multiprocessing.connection import Connection

    from wsbdd.parallel import forked

    fd = os.open(errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 2)
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 - the child's own stderr

    def stopped(_path: str) -> None:
        raise KeyboardInterrupt  # what the SIGINT raises at that moment

    os.chdir = stopped  # type: ignore[assignment]
    child_in, _parent_in = os.pipe()
    _parent_out, child_out = os.pipe()
    ends = (Connection(child_in, writable=False), Connection(child_out, readable=False))
    forked._run_worker(["features"], {}, "/", *ends)


def test_a_worker_interrupted_while_it_sets_itself_up_ends_without_a_traceback(
    tmp_path: Path,
) -> None:
    # The window before behave loads (the worker's own session, folder, streams)
    # widens on a loaded machine: a fresh clone's run hit it with three pytest workers.
    import multiprocessing

    errors = tmp_path / "stderr.txt"
    child = multiprocessing.get_context("fork").Process(
        target=_interrupted_while_setting_up, args=(str(errors),), name="wsbdd-worker"
    )
    child.start()
    child.join(30)
    shown = errors.read_text()
    assert "Traceback" not in shown, shown
    assert child.exitcode == 130, (child.exitcode, shown)


def test_a_worker_interrupted_before_behave_runs_ends_without_a_traceback(
    project: WsbddProject,
) -> None:
    # The supervisor stops its workers with SIGINT (a mistake found while they start,
    # or Ctrl-C): one that gets it outside behave's run ends quietly as well.
    project.project.file(
        "environment.py",
        "import os, signal\n"
        "os.kill(os.getpid(), signal.SIGINT)  # as the supervisor's stop, while loading\n"
        "from wsbdd.hooks import *  # noqa\n",
    )
    project.features({"b_pass.feature": PASSING})
    done = project.run("-j", "1", name="parallel")
    out = done.run.output
    assert "Traceback" not in out, out
    assert "KeyboardInterrupt" not in out, out
    assert done.run.returncode != 0, out
