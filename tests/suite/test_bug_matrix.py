"""The shipped suite catches every bug of the reference server, and only where meant to.

Each scenario names the bugs it exists to catch with ``@bug.NAME`` tags. Against
the server started with ``--bug NAME``, exactly those scenarios must fail — as
*failures* (broken expectations), not errors — with a message naming the
symptom; every other scenario must pass. Against the clean server everything
passes. The README's bug table is the human-readable form of this matrix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.suite.suite_runs import ScenarioResult, run_suite
from wsbdd.server import BUGS

SYMPTOMS: dict[str, str] = {
    "wrong_room": r'received #\d+ .*"channel":\s*"room:general"',
    "no_ownership_check": r"was confirmed, expected it to be rejected",
    "leak_on_disconnect": r'"status": "left"|server metric "connections"|memory grew by',
    "silent_drop": r"without a close frame",
    "no_heartbeat": r"no protocol ping|still open",
    "wrong_close_code": r"code 4403, expected 4401",
    "out_of_order": r"out of order",
    "slow_push": r"p95 is \d+",
    "no_backpressure": r"code 1013 .*\n?.*still open|client A is still open",
    "no_resume": r"received \d of the 5 messages",
    "bad_schema": r"\$\.qty: .* is not of type 'integer'",
    "fragile_under_storm": r"503",
}
"""What a tester reads in the failure that names each bug's symptom."""

# Bugs whose catching scenarios are long-running crowd work.
SLOW_BUGS = {"leak_on_disconnect", "fragile_under_storm"}


def _tags_for(bug: str) -> list[str]:
    return [] if bug in SLOW_BUGS else ["--tags", "not @slow"]


def test_every_bug_has_a_symptom_and_a_catching_scenario() -> None:
    assert set(SYMPTOMS) == set(BUGS)
    tagged: set[str] = set()
    for feature in Path("features").glob("*.feature"):
        tagged |= set(re.findall(r"@bug\.(\w+)", feature.read_text()))
    assert tagged == set(BUGS), f"untagged bugs: {set(BUGS) - tagged}, unknown: {tagged - set(BUGS)}"


def test_the_clean_server_passes_everything(tmp_path: Path) -> None:
    results = run_suite(tmp_path)
    failed = [r for r in results if r.status != "passed"]
    assert results, "the suite ran no scenario"
    assert not failed, "\n\n".join(f"{r.location} {r.name}\n{r.message}" for r in failed)


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_the_suite_catches(bug: str, tmp_path: Path) -> None:
    results = run_suite(tmp_path, "--bug", bug, *_tags_for(bug))
    meant: list[ScenarioResult] = [r for r in results if bug in r.catches]
    others = [r for r in results if bug not in r.catches]
    assert meant, f"no scenario ran that is tagged @bug.{bug}"
    for result in meant:
        assert result.status == "failed", (
            f"{result.location} ({result.name}) should catch {bug} with a failure, "
            f"but it {result.status}:\n{result.message}"
        )
        assert re.search(SYMPTOMS[bug], result.message), (
            f"{result.location} failed without naming the symptom of {bug} "
            f"(/{SYMPTOMS[bug]}/):\n{result.message}"
        )
    collateral = [r for r in others if r.status != "passed"]
    assert not collateral, f"--bug {bug} also broke scenarios not meant to catch it:\n" + "\n\n".join(
        f"{r.location} {r.name}: {r.status}\n{r.message}" for r in collateral
    )
