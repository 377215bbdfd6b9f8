"""The shipped suite catches every bug of the reference server, and only where meant to.

Each scenario names the bugs it exists to catch with ``@bug.NAME`` tags. Against
the server started with ``--bug NAME``, exactly those scenarios must fail — as
*failures* (broken expectations), not errors — with a message naming the
symptom; every other scenario must pass. Against the clean server everything
passes. The README's bug table is the human-readable form of this matrix.

Features tagged ``@own_server`` bring their own server (wsbdd's mock server, the
bundled Socket.IO app) and never reach the reference server, so its bugs cannot
change their verdicts: they run once, with the reference server's addresses a
closed port, instead of once a bug (about 7 s of each bug's run).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.features.harness import TOKENS, BehaveProject
from tests.suite.suite_runs import (
    REPO,
    ScenarioResult,
    ShippedRun,
    run_suite,
    shares_the_shipped_run,
)
from wsbdd.server import BUGS

SYMPTOMS: dict[str, str] = {
    "wrong_room": r'received #\d+ .*"channel":\s*"room:general"',
    "no_ownership_check": r"was confirmed, expected it to be rejected",
    "leak_on_disconnect": (
        r'"status": "left"|server metric "(connections|subscriptions)"|memory grew by'
    ),
    "silent_drop": r"without a close frame",
    "no_heartbeat": r"no protocol ping|still open",
    "wrong_close_code": r"expected to be closed .*with code 4401.*, but it was .* code 4403",
    "out_of_order": r"out of order",
    "slow_push": r"p95 is \d+",
    # the paused client stays open, or (a loaded machine) the server's keepalive
    # cuts it first: either way not the 1013 of a queue policy
    "no_backpressure": (
        r"code 1013 .*\n?.*still open|client A is still open"
        r"|expected to be closed with code 1013, but it was closed by the server "
        r'with code 1011 "keepalive ping timeout"'
    ),
    "no_resume": r"received \d of the 5 messages",
    "bad_schema": r"\$\.qty: .* is not of type 'integer'",
    "fragile_under_storm": r"503",
}
"""What a tester reads in the failure that names each bug's symptom."""


OWN_SERVER = "@own_server"
"""The tag of features that never reach the reference server (see the module's text)."""

CLOSED = "127.0.0.1:9"
"""Nothing listens on the discard port of 127.0.0.1: connecting there is refused at once."""

MATRIX_PROCESSES = 3
"""Worker processes for each bug's quick run (each worker starts its own buggy server)."""


def _has_slow_scenario_for(bug: str) -> bool:
    """Whether a @slow scenario is tagged to catch ``bug``."""
    for feature in (REPO / "features").glob("*.feature"):
        for line in feature.read_text().splitlines():
            tags = line.split()
            if line.strip().startswith("@") and "@slow" in tags and f"@bug.{bug}" in tags:
                return True
    return False


def _run_for(bug: str, tmp_path: Path) -> list[ScenarioResult]:
    """The quick suite, then (in a run of their own) the slow scenarios meant for ``bug``.

    A @slow crowd scenario is a storm of its own: in the same run as the quick
    scenarios, a server with fragile_under_storm would still be overloaded
    when the next scenario connects.
    """
    quick = run_suite(
        tmp_path / "quick",
        *("--bug", bug, "--tags", f"not @slow and not {OWN_SERVER}"),
        processes=MATRIX_PROCESSES,
    )
    slow: list[ScenarioResult] = []
    if _has_slow_scenario_for(bug):
        slow = run_suite(tmp_path / "slow", "--bug", bug, "--tags", f"@slow and @bug.{bug}")
    # Scenarios left out by a tag expression are reported as skipped.
    return [r for r in [*quick, *slow] if r.status != "skipped"]


def test_every_bug_has_a_symptom_and_a_catching_scenario() -> None:
    assert set(SYMPTOMS) == set(BUGS)
    tagged: set[str] = set()
    for feature in (REPO / "features").glob("*.feature"):
        tagged |= set(re.findall(r"@bug\.(\w+)", feature.read_text()))
    assert tagged == set(BUGS), (
        f"untagged bugs: {set(BUGS) - tagged}, unknown: {tagged - set(BUGS)}"
    )


@shares_the_shipped_run
def test_the_clean_server_passes_everything(shipped_suite_run: ShippedRun) -> None:
    results = shipped_suite_run.results
    failed = [r for r in results if r.status != "passed"]
    assert results, "the suite ran no scenario"
    assert not failed, "\n\n".join(f"{r.location} {r.name}\n{r.message}" for r in failed)


def test_features_with_their_own_server_pass_without_the_reference_server(
    tmp_path: Path,
) -> None:
    # What lets the matrix leave them out: with the reference server's
    # addresses a closed port, every @own_server scenario still passes.
    nowhere = {
        "WSBDD_SERVER": "none",
        "WSBDD_URL": f"ws://{CLOSED}/",
        "WSBDD_HTTP_URL": f"http://{CLOSED}/",
    }
    results = run_suite(tmp_path, "--tags", OWN_SERVER, extra_env=nowhere)
    ran = [r for r in results if r.status != "skipped"]
    features = {r.location.split(":")[0] for r in ran}
    assert {"features/client_app.feature", "features/socketio.feature"} <= features, features
    failed = [r for r in ran if r.status != "passed"]
    assert not failed, "\n\n".join(f"{r.location} {r.name}\n{r.message}" for r in failed)


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_the_suite_catches(bug: str, tmp_path: Path) -> None:
    results = _run_for(bug, tmp_path)
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
    assert not collateral, (
        f"--bug {bug} also broke scenarios not meant to catch it:\n"
        + "\n\n".join(f"{r.location} {r.name}: {r.status}\n{r.message}" for r in collateral)
    )


ANONYMOUS_CYCLES = "clients connect and disconnect, 200 at a time"
"""The anonymous form of the cycle step the leak scenarios use ``as carol``."""


@pytest.mark.parametrize("bug", [None, "leak_on_disconnect"])
def test_the_anonymous_cycle_form_is_never_a_false_pass(bug: str | None, tmp_path: Path) -> None:
    # The leak scenarios with the anonymous cycle form. The reference server
    # closes every connection without a token with 4401 right after the
    # handshake, so the anonymous form can never be green against it (it
    # used to pass, hiding leak_on_disconnect): the cycle step fails, saying
    # how many cycles the server closed and with which code.
    shipped = (REPO / "features" / "leaks.feature").read_text()
    anonymous = shipped.replace(
        "clients connect as carol and disconnect, 200 at a time", ANONYMOUS_CYCLES
    )
    assert anonymous != shipped, "features/leaks.feature no longer has the cycle step"
    project = BehaveProject(
        tmp_path / "project",
        {
            "WSBDD_SERVER": "embedded",
            "WSBDD_SERVER_ARGS": f"--bug {bug}" if bug else "",
            "WSBDD_PROFILE": "chat",
            **TOKENS,
        },
    )
    project.feature(anonymous.replace("10000 " + ANONYMOUS_CYCLES, "1000 " + ANONYMOUS_CYCLES))
    run = project.run()
    assert "1000 clients connect and disconnect, 200 at a time ... failed" in run.output, (
        run.output
    )
    assert (
        "1000 of 1000 connect/disconnect cycles failed: "
        '1000 × closed by the server with code 4401 "unauthorized"'
    ) in run.output, run.output
