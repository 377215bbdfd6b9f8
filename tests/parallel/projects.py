"""Temporary projects run with ``wsbdd run`` (serially or in parallel), and their results."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.features.harness import BehaveProject, BehaveRun, run_in

RUN_TIMEOUT = 180.0

MIXED_FEATURES = {
    "a_pass.feature": """
        Feature: Passing ones
          Scenario: A ping is answered
            Given client A is connected as alice
            When client A sends {"type": "ping"}
            Then client A receives {"type": "pong"} within 1 s

          Scenario Outline: <user> connects
            Given client A is connected as <user>
            Then client A is connected

            Examples:
              | user  |
              | alice |
              | bob   |
              | carol |

          @excluded
          Scenario: Skipped by the tags
            Given client A is connected as alice
        """,
    "b_fail.feature": """
        Feature: Failing ones
          Scenario: A pong that never comes
            Given client A is connected as alice
            Then client A receives {"type": "never"} within 200 ms

          Scenario: Quiet for a moment
            Given client A is connected as bob
            Then client A receives no message matching {"type": "message"} within 300 ms
        """,
    "c_more.feature": """
        Feature: More
          Scenario: Another ping
            Given client A is connected as carol
            When client A sends {"type": "ping"}
            Then client A receives {"type": "pong"} within 1 s

          Scenario: Another failure
            Given client A is connected as carol
            Then client A receives {"type": "nope"} within 200 ms
        """,
}


@dataclass
class Results:
    """A run's outcome: exit code, console, statuses by location, Allure result files."""

    run: BehaveRun
    statuses: dict[str, str]
    allure: list[dict[str, object]]

    @property
    def allure_statuses(self) -> list[tuple[str, str]]:
        return sorted((str(r.get("name")), str(r.get("status"))) for r in self.allure)


class WsbddProject:
    """A :class:`BehaveProject` run through ``python -m wsbdd run``."""

    def __init__(self, project: BehaveProject) -> None:
        self.project = project
        self.root = project.root

    def features(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            self.project.feature(text, name)

    def run(
        self,
        *args: str,
        name: str = "run",
        env: str = "test",
        timeout: float = RUN_TIMEOUT,
        extra_env: dict[str, str] | None = None,
    ) -> Results:
        """``wsbdd run --env test`` with a JSON report and Allure results of its own."""
        out = self.root / f"{name}.json"
        allure = self.root / f"allure-{name}"
        command = [
            sys.executable,
            "-m",
            "wsbdd",
            "run",
            "--env",
            env,
            "--allure-dir",
            str(allure),
            "--durations-file",
            str(self.root / "durations.json"),
            "-f",
            "json",
            "-o",
            str(out),
            "-f",
            "plain",
            "--no-timings",
            "--no-color",
            *args,
        ]
        done = run_in(self.root, command, extra_env, timeout=timeout)
        statuses = {}
        if out.exists() and out.read_text().strip():
            for feature in json.loads(out.read_text()):
                for element in feature.get("elements", []):
                    if element.get("type") == "scenario":
                        statuses[str(element["location"])] = str(element.get("status"))
        results = [json.loads(p.read_text()) for p in sorted(allure.glob("*-result.json"))]
        return Results(done, statuses, results)


TEST_STEPS = """
import json
import os
import sys
import time

from behave import step


@step("the worker process dies")
def die(context):
    os._exit(3)


@step('the worker process prints "{text}" and dies')
def print_and_die(context, text):
    sys.__stdout__.write(text + "\\n")  # past behave's capture, as a crash might
    sys.__stdout__.flush()
    os._exit(3)


@step("the worker process hangs")
def hang(context):
    fifo = os.environ.get("TEST_FIFO")
    if fifo:
        with open(fifo, "w") as stream:
            stream.write("hanging\\n")
    time.sleep(3600)  # a hung worker, for the supervisor's watchdog or signals


@step('I note "{what}"')
def note(context, what):
    with open(os.environ["TEST_LOG"], "a") as stream:
        line = {"what": what, "worker": os.environ.get("WSBDD_WORKER"), "t": time.time()}
        stream.write(json.dumps(line) + "\\n")
"""
"""Steps of the test projects only: a worker that dies, hangs, or notes the time."""


def with_test_steps(project: WsbddProject) -> WsbddProject:
    project.project.file("steps/test_steps.py", TEST_STEPS)
    return project


def allure_folder(project: WsbddProject, name: str) -> Path:
    return project.root / f"allure-{name}"
