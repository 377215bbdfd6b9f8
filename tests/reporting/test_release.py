"""Nothing of a scenario survives it: failed steps' tracebacks no longer hold the session.

behave keeps every failed step's exception and traceback for the whole run;
their frames held the scenario session and its clients (with their inboxes),
so N failing flood scenarios kept N floods in memory. Each failing scenario
here records weak references to its session and its client; the last
scenario checks, after a full collection, that none of them is alive. The
Allure results still carry each failure's message and trace.
"""

from __future__ import annotations

from tests.features.harness import BehaveProject
from tests.reporting.conftest import step, wsbdd_run

WATCH_STEPS = """
import gc
import weakref

from behave import step

from wsbdd.steps import *  # noqa

WATCHED = []


@step("client {name} and its session are watched")
def watch(context, name):
    WATCHED.append(("session", weakref.ref(context.wsbdd)))
    WATCHED.append((f"client {name}", weakref.ref(context.wsbdd.client(name))))


@step("nothing watched is alive")
def check(context):
    gc.collect()
    alive = [what for what, ref in WATCHED if ref() is not None]
    assert len(WATCHED) == 6, WATCHED
    assert not alive, f"still alive after their scenario: {alive}"
"""

FEATURE = """
Feature: nothing survives a scenario

  Scenario Outline: a failing wait <n>
    Given client A is connected as alice
    And client A and its session are watched
    When client A sends 200 messages:
      \"\"\"
      {"type": "ping", "n": ${i}}
      \"\"\"
    Then client A receives {"type": "never-sent"} within 300 ms

    Examples:
      | n |
      | 1 |
      | 2 |
      | 3 |

  Scenario: the check
    Then nothing watched is alive
"""


def test_failed_scenarios_keep_neither_their_session_nor_their_clients(
    project: BehaveProject,
) -> None:
    project.file("steps/wsbdd_steps.py", WATCH_STEPS)
    project.feature(FEATURE)
    run, results = wsbdd_run(project)
    tests = results.tests()
    assert tests["the check"]["status"] == "passed", run.output
    failed = [t for name, t in tests.items() if name.startswith("a failing wait")]
    assert len(failed) == 3 and all(t["status"] == "failed" for t in failed), run.output
    for test in failed:
        details = test["statusDetails"]
        assert "client A did not receive" in details["message"]
        assert "receiving_steps.py" in details.get("trace", ""), details
        assert (
            "client A did not receive"
            in step(test, "Then client A receives")["statusDetails"]["message"]
        )
