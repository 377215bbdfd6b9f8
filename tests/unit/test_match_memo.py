"""Step matching remembered: the same answer as behave's, and a late definition is never missed."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from behave.step_registry import StepRegistry

from tests.features.harness import BehaveProject
from wsbdd.match_memo import install


def _step(text: str, kind: str = "given") -> SimpleNamespace:
    return SimpleNamespace(step_type=kind, name=text)


def _registry() -> StepRegistry:
    registry = StepRegistry()
    registry.add_step_definition("given", "client {name} is connected", lambda c, name: None)
    registry.add_step_definition("step", "client {name} waits", lambda c, name: None)
    return registry


def test_the_memo_answers_as_behave_does_and_hands_out_a_match_per_step() -> None:
    plain, memo = _registry(), _registry()
    install(memo)
    for text, kind in [("client A is connected", "given"), ("client B waits", "then")]:
        want, first, again = plain.find_match(_step(text, kind)), memo.find_match(
            _step(text, kind)
        ), memo.find_match(_step(text, kind))
        assert first.location == want.location and first.func.__name__ == want.func.__name__
        assert [(a.name, a.value) for a in first.arguments] == [
            (a.name, a.value) for a in want.arguments
        ]
        assert again is not first  # each step gets its own match, as from behave
    assert memo.find_match(_step("client A is connected", "then")) is None  # keyword type counts


def test_a_text_seen_before_is_not_matched_against_every_pattern_again() -> None:
    registry = _registry()
    install(registry)
    tries = 0
    for definition in registry.steps["given"]:
        original = definition.match

        def counting(text: str, original=original):  # type: ignore[no-untyped-def]
            nonlocal tries
            tries += 1
            return original(text)

        definition.match = counting
    for _ in range(5):
        registry.find_match(_step("client A is connected"))
    assert tries == 1


def test_a_definition_registered_later_is_found_for_a_text_that_was_undefined() -> None:
    registry = _registry()
    install(registry)
    assert registry.find_match(_step("the server restarts")) is None
    registry.add_step_definition("given", "the server restarts", lambda c: None)
    assert registry.find_match(_step("the server restarts")) is not None


def test_before_all_installs_it_on_the_registry_the_run_uses(tmp_path: Path) -> None:
    project = BehaveProject(tmp_path / "p", {"WSBDD_SERVER": "none", "WSBDD_URL": "ws://127.0.0.1:9/"})
    project.file(
        "steps/probe_steps.py",
        """
        from behave import then
        from wsbdd.match_memo import MatchMemo

        @then("the run's step matching is remembered")
        def remembered(context):
            assert isinstance(vars(context._runner.step_registry)["find_match"], MatchMemo)
        """,
    )
    project.feature("Feature: f\n  Scenario: s\n    Then the run's step matching is remembered\n")
    run = project.run()
    assert run.passed, run.output
