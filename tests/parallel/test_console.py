"""Whole scenarios on one console, whatever order the workers' pieces arrive in."""

from __future__ import annotations

import io

from wsbdd.parallel.console import Console, WorkerOutput
from wsbdd.parallel.protocol import Event


def feature(name: str) -> Event:
    return Event("feature", {"file": name})


def scenario(location: str) -> Event:
    return Event("scenario", {"location": location})


def test_interleaved_workers_print_whole_scenarios_under_their_feature() -> None:
    out = io.StringIO()
    console = Console(out)
    one, two = WorkerOutput("worker 1"), WorkerOutput("worker 2")
    console.take(one, "USING RUNNER: x\n")
    console.take(one, feature("a.feature"))
    console.take(one, "Feature: A\n")
    console.take(one, scenario("a.feature:2"))
    console.take(two, feature("b.feature"))
    console.take(two, "Feature: B\n")
    console.take(two, scenario("b.feature:2"))
    console.take(one, "  Scenario: a1\n")
    console.take(two, "  Scenario: b1\n")
    console.take(one, "    Given x ... passed\n")
    console.take(two, "    Given y ... passed\n")
    console.take(one, scenario("a.feature:5"))  # a1 is complete
    console.take(one, "  Scenario: a2\n")
    console.take(one, Event("close"))  # a2 is complete
    console.take(one, "1 feature passed\n")  # the worker's own summary: never shown
    console.take(two, Event("close"))
    assert out.getvalue() == (
        "Feature: A\n  Scenario: a1\n    Given x ... passed\n  Scenario: a2\n"
        "Feature: B\n  Scenario: b1\n    Given y ... passed\n"
    )


def test_a_feature_header_is_repeated_only_after_another_feature() -> None:
    out = io.StringIO()
    console = Console(out)
    one, two = WorkerOutput("worker 1"), WorkerOutput("worker 2")
    for worker, text in ((one, "s1"), (two, "s2")):
        console.take(worker, feature("a.feature"))
        console.take(worker, "Feature: A\n")
        console.take(worker, scenario(f"a.feature:{text}"))
        console.take(worker, f"  {text}\n")
    console.flush(one)
    console.flush(two)
    assert out.getvalue() == "Feature: A\n  s1\n  s2\n"  # the same feature, from two workers
    console.take(two, feature("b.feature"))
    console.take(two, "Feature: B\n")
    console.take(two, scenario("b.feature:2"))
    console.take(two, "  b1\n")
    console.flush(two)
    console.take(one, scenario("a.feature:9"))
    console.take(one, "  s3\n")
    console.flush(one)
    assert out.getvalue().endswith("  s2\nFeature: B\n  b1\nFeature: A\n  s3\n")


def test_progress_style_output_starts_each_feature_on_a_new_line() -> None:
    out = io.StringIO()
    console = Console(out)
    one, two = WorkerOutput("worker 1"), WorkerOutput("worker 2")
    console.take(one, feature("a.feature"))
    console.take(one, "a.feature  ")
    console.take(one, scenario("a.feature:2"))  # empty block: nothing printed yet
    console.take(two, feature("b.feature"))
    console.take(two, "b.feature  ")
    console.take(two, scenario("b.feature:2"))
    console.take(one, ".")
    console.take(one, Event("close"))
    console.take(two, "F")
    console.take(two, Event("close"))
    assert out.getvalue() == "a.feature  .\nb.feature  F"


def test_identical_preambles_are_printed_once_and_secrets_never() -> None:
    out = io.StringIO()
    console = Console(out, lambda text: text.replace("s3cret", "***"))
    for label in ("worker 1", "worker 2"):
        worker = WorkerOutput(label)
        console.take(worker, "HOOK-ERROR in before_all: token s3cret refused\n")
        console.take(worker, Event("close"))
    assert out.getvalue() == "HOOK-ERROR in before_all: token *** refused\n"


def test_text_after_the_last_batch_is_shown_on_its_own() -> None:
    out = io.StringIO()
    console = Console(out)
    worker = WorkerOutput("worker 1")
    console.take(worker, feature("a.feature"))
    console.take(worker, "Feature: A\n")
    console.take(worker, scenario("a.feature:2"))
    console.take(worker, "  Scenario: a1\n")
    console.take(worker, Event("eof"))
    console.take(worker, "\n")
    console.take(worker, Event("next"))  # a1 is complete
    assert out.getvalue() == "Feature: A\n  Scenario: a1\n\n"
    console.take(worker, "HOOK-ERROR in after_all: boom\n")
    console.take(worker, Event("close"))
    console.take(worker, "0 features passed\n")
    assert out.getvalue().endswith("  Scenario: a1\n\nHOOK-ERROR in after_all: boom\n")
