"""A ``-j`` worker's embedded server is forked from the worker's spare, not a new interpreter.

wsbdd/server/spare.py: a worker forks a spare before behave runs; its first
embedded server start takes it. A restart starts a new interpreter, as any
start did before.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.parallel.projects import WsbddProject
from tests.parallel.test_workers_that_fail import processes_in

ENVIRONMENT = """\
import json, os

import psutil

from wsbdd.hooks import *  # noqa
from wsbdd.hooks import after_scenario as _after_scenario


def after_scenario(context, scenario):
    server = context.wsbdd_run.server
    process = psutil.Process(server.pid)
    with open(os.environ["TEST_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({
            "worker": os.environ.get("WSBDD_WORKER"),
            "scenario": scenario.name,
            "worker_pid": os.getpid(),
            "parent": process.ppid(),
            "new_interpreter": "wsbdd.server" in process.cmdline(),
        }) + "\\n")
    _after_scenario(context, scenario)
"""

FEATURES = {
    "a_first.feature": """
Feature: First start
  Scenario: Connect
    Given client A is connected as alice
    When client A sends {"type": "ping"}
    Then client A receives {"type": "pong"} within 2 s
""",
    "b_restart.feature": """
Feature: Restart
  Scenario: Connect, restart, connect again
    Given client A is connected as alice
    When the server restarts
    And client B is connected as alice
    And client B sends {"type": "ping"}
    Then client B receives {"type": "pong"} within 2 s
""",
}


def test_a_workers_first_server_is_forked_and_a_restart_starts_a_new_one(
    project: WsbddProject, tmp_path: Path
) -> None:
    project.project.write_env(
        "embedded", {"WSBDD_SERVER": "embedded", "WSBDD_TOKEN_ALICE": "alice-token"}
    )
    project.project.file("environment.py", ENVIRONMENT)
    project.features(FEATURES)
    log = tmp_path / "servers.jsonl"
    done = project.run(
        "-j",
        "2",
        "--parallel-element",
        "feature",
        env="embedded",
        extra_env={"TEST_LOG": str(log)},
    )
    assert done.run.returncode == 0, done.run.output
    notes = {n["scenario"]: n for n in map(json.loads, log.read_text().splitlines())}
    first, restarted = notes["Connect"], notes["Connect, restart, connect again"]
    assert first["parent"] == first["worker_pid"] and not first["new_interpreter"], first
    assert restarted["parent"] == restarted["worker_pid"], restarted
    assert restarted["new_interpreter"], restarted  # the spare is used once
    assert not processes_in(project.root), "a process of the run is still alive"
