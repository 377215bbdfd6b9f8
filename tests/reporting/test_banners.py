"""Report banners name no Python class; categories tell product defects from broken tests."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from behave.model_core import Status as BehaveStatus

from wsbdd.core.exceptions import ConfigError, ExpectationFailed, UnknownClient
from wsbdd.reporting.categories import CATEGORIES, CONFIGURATION_MARK
from wsbdd.reporting.statuses import describe_error, scenario_outcome, step_outcome


def _step(status: BehaveStatus, exception: BaseException | None = None) -> Any:
    return SimpleNamespace(
        status=status,
        exception=exception,
        exc_traceback=None,
        keyword="Then",
        name="a step",
        error_message=None,
    )


def _outcome(status: BehaveStatus, error: BaseException) -> tuple[str, str, str]:
    outcome, details = step_outcome(_step(status, error))
    assert outcome is not None and details is not None
    return outcome, details.message, details.trace


def test_a_failed_expectation_reads_as_its_explanation() -> None:
    error = ExpectationFailed("client B did not receive {} within 500 ms (waited 502 ms)")
    status, message, trace = _outcome(BehaveStatus.failed, error)
    assert status == "failed"
    assert message == "client B did not receive {} within 500 ms (waited 502 ms)"
    assert "ExpectationFailed" not in message
    assert trace.endswith("wsbdd.core.exceptions.ExpectationFailed: " + str(error))  # kept for devs


def test_a_configuration_error_reads_as_its_text_and_is_marked() -> None:
    error = ConfigError("WSBDD_URL is not set", file="environments/ci.env")
    status, message, trace = _outcome(BehaveStatus.error, error)
    assert status == "broken"
    assert message == "environments/ci.env: WSBDD_URL is not set"
    assert trace.startswith(CONFIGURATION_MARK)


def test_an_unexpected_error_keeps_its_short_class_name() -> None:
    status, message, trace = _outcome(BehaveStatus.error, KeyError("room"))
    assert (status, message) == ("broken", "KeyError: 'room'")
    assert CONFIGURATION_MARK not in trace


def test_a_bare_assertion_names_itself() -> None:
    assert describe_error(AssertionError()) == "AssertionError"
    assert describe_error(AssertionError("x != y")) == "x != y"


def _hook_scenario(message: str) -> Any:
    return SimpleNamespace(
        all_steps=[_step(BehaveStatus.untested)],
        hook_failed=True,
        status=BehaveStatus.passed,
        error_message=message,
        exception=None,
        exc_traceback=None,
        feature=SimpleNamespace(hook_failed=False),
    )


def test_a_hook_configuration_error_loses_its_class_name() -> None:
    scenario = _hook_scenario("HOOK-ERROR in before_scenario: ConfigError: WSBDD_URL is not set")
    status, details = scenario_outcome(scenario)
    assert status == "broken" and details is not None
    assert details.message == "HOOK-ERROR in before_scenario: WSBDD_URL is not set"
    assert details.trace.startswith(CONFIGURATION_MARK)


def test_a_hook_crash_keeps_its_class_name() -> None:
    scenario = _hook_scenario("HOOK-ERROR in before_scenario: RuntimeError: boom")
    _status, details = scenario_outcome(scenario)
    assert details is not None and details.message.endswith("RuntimeError: boom")
    assert details.trace is None or CONFIGURATION_MARK not in details.trace


def _category(status: str, message: str, trace: str, *, whole: bool) -> str | None:
    """The first matching category, matching regexes as Allure 2 (whole) or Allure 3 (search)."""
    test = re.fullmatch if whole else re.search
    for rule in CATEGORIES:
        if status not in rule["matchedStatuses"]:
            continue
        if "messageRegex" in rule and not test(rule["messageRegex"], message):
            continue
        if "traceRegex" in rule and not test(rule["traceRegex"], trace):
            continue
        return str(rule["name"])
    return None


@pytest.mark.parametrize("whole", [True, False], ids=["allure2", "allure3"])
def test_the_categories_separate_product_defects_from_broken_tests(whole: bool) -> None:
    failed = _outcome(BehaveStatus.failed, ExpectationFailed("client B did not receive x"))
    config = _outcome(BehaveStatus.error, UnknownClient("C", ["A", "B"]))
    crash = _outcome(BehaveStatus.error, RuntimeError("boom"))
    located = ("broken", "features/chat.feature:12: client B is not connected", "")
    undefined = ("broken", "undefined step: Given nothing\nsnippet", "")
    assert _category(*failed, whole=whole) == "Product defects: a broken expectation"
    assert _category(*config, whole=whole) == "Broken tests: configuration or usage"
    assert _category(*located, whole=whole) == "Broken tests: configuration or usage"
    assert _category(*crash, whole=whole) == "Broken tests: an error in a step or hook"
    assert _category(*undefined, whole=whole) == "Broken tests: undefined or pending steps"
