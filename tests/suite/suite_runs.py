"""Run the shipped feature suite (``wsbdd run``) and read its results."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from tests.features.harness import run_in

REPO = Path(__file__).resolve().parents[2]
SUITE_TIMEOUT = 600.0
F = TypeVar("F", bound=Callable[..., object])


def shares_the_shipped_run(test: F) -> F:
    """Mark a test that reads the ``shipped_suite_run`` fixture (tests/conftest.py).

    Under ``--dist loadgroup`` these tests run on one worker, which runs the
    suite once; the first of them waits for the whole run (``SUITE_TIMEOUT``).
    """
    marked = pytest.mark.timeout(SUITE_TIMEOUT)(pytest.mark.xdist_group("shipped_suite")(test))
    return marked  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario of a suite run: where it is, its tags, status and failure text."""

    location: str
    name: str
    tags: frozenset[str]
    status: str
    message: str

    @property
    def catches(self) -> frozenset[str]:
        """The bugs this scenario is written to catch (its ``@bug.NAME`` tags)."""
        return frozenset(t.removeprefix("bug.") for t in self.tags if t.startswith("bug."))


def run_suite(
    out_dir: Path, *args: str, extra_env: dict[str, str] | None = None, processes: int = 1
) -> list[ScenarioResult]:
    """``wsbdd run`` in the repository with the JSON formatter; every scenario's result.

    ``processes`` > 1 runs it over that many worker processes (``wsbdd run -j``,
    docs/parallel.md), each with its own embedded server: the same verdicts
    (tests/parallel/test_shipped_suite.py) in well under half the time,
    since a real-time suite mostly waits.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "results.json"
    if processes > 1:
        # a durations file of its own: runs side by side must not share the repository's
        args = ("-j", str(processes), "--durations-file", str(out_dir / "durations.json"), *args)
    command = [
        sys.executable,
        "-m",
        "wsbdd",
        "run",
        "--no-allure",
        "-f",
        "json",
        "-o",
        str(out),
        "-f",
        "progress",
        *args,
    ]
    completed = run_in(REPO, command, extra_env, SUITE_TIMEOUT)
    if not out.exists():
        raise AssertionError(
            f"the suite wrote no results (exit {completed.returncode}):\n"
            f"{completed.output[-6000:]}"
        )
    return parse_results(json.loads(out.read_text()))


def parse_results(features: list[dict[str, object]]) -> list[ScenarioResult]:
    results = []
    for feature in features:
        for element in feature.get("elements", []):  # type: ignore[union-attr]
            if element.get("type") != "scenario":
                continue
            messages = []
            for step in element.get("steps", []):
                result = step.get("result", {})
                if result.get("status") in ("failed", "error", "undefined"):
                    text = result.get("error_message", "")
                    messages.append("\n".join(text) if isinstance(text, list) else str(text))
            results.append(
                ScenarioResult(
                    location=str(element.get("location")),
                    name=str(element.get("name")),
                    tags=frozenset(element.get("tags", [])),
                    status=str(element.get("status")),
                    message="\n".join(messages),
                )
            )
    return results


@dataclass(frozen=True)
class ShippedRun:
    """One plain ``wsbdd run`` of the whole shipped suite, as a user runs it.

    It writes the JSON verdicts, the Allure results (with the AsyncAPI coverage)
    and the console output at once, so the tests that judge a whole run of the
    shipped suite read the same run instead of each running the suite again
    (tests/conftest.py runs it once per session, in the ``shipped_suite`` group).
    """

    returncode: int
    output: str
    results: list[ScenarioResult]
    allure: Path

    @property
    def statuses(self) -> dict[str, str]:
        """Each scenario's status by its location."""
        return {result.location: result.status for result in self.results}


def run_shipped_suite(folder: Path) -> ShippedRun:
    """``wsbdd run`` of the shipped suite in the repository: verdicts, console, Allure results."""
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / "report.json"
    allure = folder / "allure"
    command = [
        *(sys.executable, "-m", "wsbdd", "run", "--allure-dir", str(allure)),
        *("--durations-file", str(folder / "durations.json")),
        *("-f", "json", "-o", str(report), "-f", "progress"),
    ]
    done = run_in(REPO, command, timeout=SUITE_TIMEOUT)
    output = done.output
    if not report.exists():
        raise AssertionError(
            f"the suite wrote no results (exit {done.returncode}):\n{output[-6000:]}"
        )
    results = parse_results(json.loads(report.read_text()))
    return ShippedRun(done.returncode, output, results, allure)
