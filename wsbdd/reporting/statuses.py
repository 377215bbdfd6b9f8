"""behave 1.3 statuses as Allure statuses, each with a message a tester can act on.

allure-behave 2.16 maps only passed, failed, skipped, untested and undefined.
behave 1.3 has more, and two of them came out wrong: a scenario whose
``before_scenario`` hook raised was *skipped* with no message, and one whose
``after_scenario`` hook raised was *passed*. Here:

========================  ===========  ==========================================
behave                    Allure       message
========================  ===========  ==========================================
passed                    passed
failed (AssertionError)   failed       the assertion (for wsbdd: the explanation)
error (a wsbdd mistake)   broken       ``features/x.feature:12: <what to fix>``
                                       (trace: the mark below; the Python trace
                                       with ``--verbose``/``WSBDD_DEBUG=1``)
error (other exception)   broken       the exception
hook_error                broken       ``HOOK-ERROR in before_scenario: ...``
undefined                 broken       ``undefined step: ...`` and a snippet
pending                   broken       ``pending step: ...`` (not implemented yet)
pending_warn (``--wip``)  skipped      ``pending step (accepted in wip mode)``
untested / skipped        skipped
========================  ===========  ==========================================

Messages name no Python class: a failed expectation or a ``WsbddError``
(configuration, usage) reads as its own text, another exception as
``KeyError: 'x'`` (its short name is the information). The trace keeps the
class, and a ``WsbddError`` adds :data:`~wsbdd.reporting.categories.CONFIGURATION_MARK`
so the report files it under "Broken tests: configuration or usage".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from allure_behave.utils import step_status, step_status_details
from allure_commons import utils as _utils
from allure_commons.model2 import Status, StatusDetails

from wsbdd.core.exceptions import WsbddError
from wsbdd.mistakes import debug_enabled, describe_mistake
from wsbdd.reporting._behave import status_name
from wsbdd.reporting.categories import CONFIGURATION_MARK

__all__ = ["Outcome", "describe_error", "scenario_outcome", "status_name", "step_outcome"]

Outcome = tuple[str | None, StatusDetails | None]
"""An Allure status (``Status.PASSED`` ...) and its details (message, trace)."""

_PROBLEMS = (Status.FAILED, Status.BROKEN)

# allure-commons is untyped: give the two functions used here their types.
_format_exception: Callable[[Any, BaseException], str] = _utils.format_exception
_format_traceback: Callable[[Any], str] = _utils.format_traceback


def _trace(element: Any) -> str | None:
    trace = getattr(element, "exc_traceback", None)
    if trace is None:
        return None
    return "\n".join(trace) if isinstance(trace, list) else str(_format_traceback(trace))


def describe_error(error: BaseException) -> str:
    """The banner of ``error``: its text; a short class name only for unexpected errors."""
    text = str(error).strip()
    if text and isinstance(error, AssertionError | WsbddError):
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _exception_text(element: Any) -> str:
    error = getattr(element, "exception", None)
    return "" if error is None else describe_error(error)


def _full_trace(element: Any, error: BaseException) -> str:
    """The traceback, then the exception with its full class name, as Python prints it."""
    lines = [CONFIGURATION_MARK] if isinstance(error, WsbddError) else []
    trace = _trace(element)
    if trace:
        lines.append(trace.rstrip())
    lines.append(str(_format_exception(type(error), error)).strip())
    return "\n".join(lines)


def _wsbdd_error_names() -> frozenset[str]:
    found: set[str] = set()
    pending: list[type[BaseException]] = [WsbddError]
    while pending:
        kind = pending.pop()
        found.add(kind.__name__)
        pending.extend(kind.__subclasses__())
    return frozenset(found)


_HOOK_ERROR = re.compile(r"^(HOOK-ERROR in [^:]+: )((?:\w+\.)*(\w+)): ", re.DOTALL)


def _hook_details(message: str, trace: str | None) -> StatusDetails:
    """behave's ``HOOK-ERROR in before_scenario: ConfigError: ...`` without the class name."""
    found = _HOOK_ERROR.match(message)
    if found is None:
        return StatusDetails(message=message, trace=trace)
    configuration = found.group(3) in _wsbdd_error_names()
    if configuration or found.group(3).endswith(("AssertionError", "Failed")):
        message = found.group(1) + message[found.end() :]
    if configuration:
        trace = "\n".join(part for part in (CONFIGURATION_MARK, trace) if part)
    return StatusDetails(message=message, trace=trace)


def step_outcome(step: Any) -> Outcome:
    """The Allure status and details of one executed (or skipped) behave step."""
    name = status_name(step)
    if name in ("pending", "untested_pending"):
        detail = _exception_text(step) or "not implemented yet"
        return Status.BROKEN, StatusDetails(
            message=f"pending step: {step.keyword} {step.name}\n"
            f"(its definition exists but is not implemented yet: {detail})",
            trace=_trace(step),
        )
    if name == "pending_warn":
        return Status.SKIPPED, StatusDetails(message="pending step (accepted in wip mode)")
    if name in ("undefined", "untested_undefined"):
        details = step_status_details(step)
        snippet = details.message if details is not None else ""
        return Status.BROKEN, StatusDetails(
            message=f"undefined step: {step.keyword} {step.name}\n{snippet}".rstrip()
        )
    error = getattr(step, "exception", None)
    if name == "error" and isinstance(error, WsbddError):
        # The tester's line (file:line: what to fix); the Python trace only when debugging.
        return Status.BROKEN, StatusDetails(
            message=describe_mistake(error, getattr(step, "location", None)),
            trace=_full_trace(step, error) if debug_enabled() else CONFIGURATION_MARK,
        )
    if name == "hook_error":
        message = getattr(step, "error_message", None) or _exception_text(step) or "hook error"
        return Status.BROKEN, _hook_details(message, _trace(step))
    error = getattr(step, "exception", None)
    if error is not None:
        return step_status(step), StatusDetails(
            message=describe_error(error), trace=_full_trace(step, error)
        )
    return step_status(step), step_status_details(step)


def _hook_outcome(element: Any) -> Outcome:
    message = getattr(element, "error_message", None) or _exception_text(element)
    return Status.BROKEN, _hook_details(message or "a hook failed", _trace(element))


def scenario_outcome(scenario: Any) -> Outcome:
    """The scenario's status: its first failed or broken step, else a hook error, else ...

    ... the first other non-passed step (skipped), else passed.
    """
    outcomes = [step_outcome(step) for step in scenario.all_steps]
    for outcome in outcomes:
        if outcome[0] in _PROBLEMS:
            return outcome
    if getattr(scenario, "hook_failed", False) or status_name(scenario) in (
        "hook_error",
        "cleanup_error",
    ):
        return _hook_outcome(scenario)
    feature = getattr(scenario, "feature", None)
    if feature is not None and getattr(feature, "hook_failed", False):
        return _hook_outcome(feature)
    for outcome in outcomes:
        if outcome[0] != Status.PASSED:
            return outcome
    return Status.PASSED, None
