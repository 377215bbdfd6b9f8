"""The session's layering: steps make one session call and never decide a deadline;
areas get narrow parts, not the ScenarioSession; the timing policy decides every deadline."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from wsbdd.core.deadlines import Deadline, TimingPolicy
from wsbdd.core.records import now

PACKAGE = Path(__file__).resolve().parents[2] / "wsbdd"
STEP_MODULES = sorted((PACKAGE / "steps").glob("*_steps.py"))
SESSION_MODULES = sorted(
    p for p in (PACKAGE / "session").glob("*.py") if p.name not in ("scenario.py", "__init__.py")
)

# What a step must not reach for: the raw runtime, the receiver, or timing policy.
_FORBIDDEN = re.compile(
    r"\.clients\b|\.receiver\b|\bdeadline\(|close_deadline|pong_deadline|\.scaled\(|\.default_timeout\b"
)


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_there_are_step_and_session_modules() -> None:
    assert len(STEP_MODULES) > 10 and len(SESSION_MODULES) > 10


@pytest.mark.parametrize("path", STEP_MODULES, ids=lambda p: p.name)
def test_steps_neither_decide_deadlines_nor_skip_the_session(path: Path) -> None:
    offending = [
        f"{path.name}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _FORBIDDEN.search(line)
    ]
    assert not offending, "\n".join(offending)


@pytest.mark.parametrize("path", SESSION_MODULES, ids=lambda p: p.name)
def test_no_area_depends_on_the_scenario_session(path: Path) -> None:
    assert "wsbdd.session.scenario" not in imports_of(path)
    assert "ScenarioSession" not in path.read_text(encoding="utf-8")


def test_a_message_wait_with_within_runs_from_the_last_trigger_scaled() -> None:
    policy = TimingPolicy(default_timeout=5.0, scale=2.0)
    deadline = policy.message(0.5, last_trigger=100.0)
    assert (deadline.origin, deadline.until, deadline.limit) == (100.0, 101.0, 1.0)
    assert deadline.describe() == "within 1.00 s of the last trigger"


def test_a_message_wait_without_within_is_the_scaled_default_from_now() -> None:
    policy = TimingPolicy(default_timeout=5.0, scale=2.0)
    before = now()
    deadline = policy.message(None, last_trigger=1.0)
    assert deadline.limit is None and before <= deadline.origin <= now()
    assert deadline.until - deadline.origin == pytest.approx(10.0)
    policy.set_default_timeout(1.5)
    assert policy.default_wait() == 3.0


def test_with_nothing_triggered_within_runs_from_now() -> None:
    deadline = TimingPolicy(5.0).message(2.0, last_trigger=None)
    assert deadline.reference == "the step started" and deadline.describe() == "within 2.00 s"


def test_closes_run_from_the_step_start_and_pongs_from_the_last_ping() -> None:
    policy = TimingPolicy(default_timeout=4.0, scale=0.5)
    close = policy.close(None)
    assert close.until - close.origin == pytest.approx(2.0) and close.limit is None
    short = policy.close(1.0)
    assert short.until - short.origin == pytest.approx(0.5)
    pong = policy.pong(3.0, ping_sent=50.0)
    assert (pong.origin, pong.until) == (50.0, 51.5)
    window = policy.window(0.3)
    assert isinstance(window, Deadline) and window.until - window.origin == pytest.approx(0.15)
