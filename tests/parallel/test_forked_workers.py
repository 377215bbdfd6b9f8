"""``-j`` workers are forked from a pre-imported parent, yet start as a new interpreter would.

wsbdd/parallel/forked.py: the forkserver imports behave and wsbdd's steps once;
each worker is forked from it with its own session, working directory,
environment, pipes and exit handlers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.parallel.projects import WsbddProject
from wsbdd.parallel.forked import can_fork

ENVIRONMENT = '''\
import atexit, json, os, stat, sys

# Before this file imports anything of wsbdd's: a new interpreter has not loaded the steps.
PRELOADED = "wsbdd.steps" in sys.modules

from wsbdd.hooks import *  # noqa


def _note():
    with open(os.environ["TEST_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({
            "worker": os.environ.get("WSBDD_WORKER"),
            "preloaded": PRELOADED,
            "pid": os.getpid(),
            "session": os.getsid(0),
            "cwd": os.getcwd(),
            "path0": sys.path[0],
            "mark": os.environ.get("TEST_MARK"),
            "stdin_is_pipe": stat.S_ISFIFO(os.fstat(0).st_mode),
            "output_merged": os.path.sameopenfile(1, 2),
        }) + "\\n")


atexit.register(_note)
'''

FEATURE = """
Feature: Two workers
  Scenario: One
    Given client A is connected as alice
    Then client A receives no message matching {"type": "message"} within 300 ms

  Scenario: Two
    Given client A is connected as bob
    Then client A receives no message matching {"type": "message"} within 300 ms
"""


def test_each_worker_is_forked_and_starts_as_a_new_interpreter(
    project: WsbddProject, tmp_path: Path
) -> None:
    project.project.file("environment.py", ENVIRONMENT)
    project.features({"two.feature": FEATURE})
    log = tmp_path / "workers.jsonl"
    done = project.run("-j", "2", extra_env={"TEST_LOG": str(log), "TEST_MARK": "kept"})
    assert done.run.returncode == 0, done.run.output
    notes = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(n["worker"] for n in notes) == ["1", "2"], notes  # atexit ran in each
    root = str(project.root)
    for note in notes:
        assert note["preloaded"] is True, note  # forked: behave and the steps came imported
        assert note["session"] == note["pid"], note  # its own session (signalled as a group)
        assert (note["cwd"], note["path0"]) == (root, root), note
        assert note["mark"] == "kept", note
        assert note["stdin_is_pipe"] and note["output_merged"], note


def test_only_worker_commands_of_this_interpreter_are_forked() -> None:
    worker = [sys.executable, "-m", "wsbdd.parallel.worker", "--tags", "x"]
    assert can_fork(worker)
    assert not can_fork(["/usr/bin/python3", *worker[1:]])
    assert not can_fork([sys.executable, "-m", "wsbdd", "run"])
    assert not can_fork([sys.executable, "-c", "pass"])
