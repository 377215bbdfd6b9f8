"""A spare server process (wsbdd/server/spare.py) starts as ``subprocess.Popen`` started one.

Each case runs in a new interpreter (tests/server/spare_driver.py): a spare is
forked where no thread runs yet, as a ``wsbdd run -j`` worker forks it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")


def _case(name: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.server.spare_driver", name],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_spare_becomes_what_it_is_asked_to_be_with_nothing_of_its_parent() -> None:
    seen = _case("report")
    assert seen["argv"] == ["report", "7"]
    assert seen["mark"] == "kept"  # the environment asked for
    assert seen["session_leader"] is True  # its own session, as start_new_session=True
    assert seen["stdin"] == ""  # /dev/null
    assert seen["fds"] == [0, 1, 2, 3]  # 3: the listing's own; nothing of the parent's
    assert seen["stderr"] == "to stderr\n"  # its own pipe, apart from stdout
    assert "PARENT-ATEXIT" not in str(seen["stderr"])
    assert (seen["status"], seen["poll"]) == (7, 7)
    assert seen["parent_file_released"] is True


def test_waiting_on_a_server_is_bounded_and_a_signal_ends_it() -> None:
    seen = _case("hang")
    assert seen["timed_out"] is True and seen["running"] is True
    assert seen["status"] == -15


def test_a_spare_nobody_takes_ends_when_discarded() -> None:
    assert _case("discarded") == {"gone": True, "taken_after": True}


def test_a_spare_ends_when_the_process_that_forked_it_dies() -> None:
    pid = int(str(_case("orphaned")["pid"]))
    try:
        spare = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return  # already gone
    _, alive = psutil.wait_procs([spare], timeout=10)
    assert not alive or alive[0].status() == psutil.STATUS_ZOMBIE, alive
