"""How a mistake in a feature or an environment is shown: one line, no traceback.

A :class:`~wsbdd.core.exceptions.WsbddError` raised by a step (an unknown client,
invalid JSON, a missing schema, an unknown ``${variable}``, a missing token...)
is the suite's mistake, not the system's. The tester reads::

    features/chat.feature:12: client B is not connected in this scenario (clients: A); ...

instead of behave's 35-line Python traceback. ``--verbose`` (behave's own
option) or ``WSBDD_DEBUG=1`` brings the traceback back.

Why an adaptation of behave is needed: behave 1.3's ``Step.run`` formats the
traceback of any non-assertion exception into a *local* variable
(``error = traceback.format_exc()``), runs the ``after_step`` hook, and only
then assigns ``step.error_message = error`` and calls every formatter's
``result(step)``. A hook cannot shorten that text: it is written after the
hook. :func:`install` therefore puts a small data descriptor on
``behave.model.Step.error_message``: every assignment goes through it, and when
the step's stored exception (``step.exception``, set before the assignment) is
a ``WsbddError`` the text stored is the short one. Every formatter (pretty,
plain, progress, JSON, JUnit, Allure) reads ``step.error_message``, so all of
them show the same line. Nothing else of behave changes; installing twice is
harmless.

:func:`stop_before_first_scenario` is the other adaptation: behave has no
"stop quietly" for ``before_all``. Raising there makes it print a
``HOOK-ERROR`` with the exception, then "ABORTED: By user.", and with a bad
profile every scenario would repeat the error. Instead the runner's feature
list (the very list its loop is about to walk) is emptied and one hook
failure is counted: behave runs nothing, prints its (empty) summary and
exits with status 1.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from wsbdd.core.exceptions import WsbddError

__all__ = [
    "debug_enabled",
    "describe_mistake",
    "install",
    "set_verbose",
    "stop_before_first_scenario",
]

_state = {"verbose": False}


def set_verbose(verbose: bool) -> None:
    """Follow behave's ``--verbose``: show Python tracebacks of mistakes too."""
    _state["verbose"] = bool(verbose)


def debug_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether mistakes keep their traceback (``--verbose`` or ``WSBDD_DEBUG=1``)."""
    environ = os.environ if environ is None else environ
    flag = environ.get("WSBDD_DEBUG", "").strip().lower()
    return _state["verbose"] or flag in ("1", "true", "yes", "on")


def describe_mistake(error: WsbddError, location: Any = None) -> str:
    """``features/x.feature:12: <what is wrong and what to do>``."""
    text = str(error).strip() or type(error).__name__
    where = str(location) if location is not None else ""
    return f"{where}: {text}" if where else text


class _ShortErrorMessage:
    """``Step.error_message``: stored as given, except a mistake's traceback (see above)."""

    def __get__(self, step: Any, owner: type | None = None) -> Any:
        if step is None:
            return self
        return step.__dict__.get("error_message")

    def __set__(self, step: Any, value: Any) -> None:
        error = step.__dict__.get("exception")
        if value and isinstance(error, WsbddError) and not debug_enabled():
            value = describe_mistake(error, getattr(step, "location", None))
        step.__dict__["error_message"] = value


def install() -> None:
    """Make behave show a step's ``WsbddError`` as one line (idempotent)."""
    from behave.model import Step

    if not isinstance(Step.__dict__.get("error_message"), _ShortErrorMessage):
        Step.error_message = _ShortErrorMessage()


def stop_before_first_scenario(context: Any, message: str) -> None:
    """From ``before_all``: print ``message`` and end the run before any scenario (status 1)."""
    print(message, flush=True)
    runner = context._runner
    features = getattr(runner, "features", None)
    if isinstance(features, list):
        del features[:]
    runner.hook_failures = getattr(runner, "hook_failures", 0) + 1
    for reporter in getattr(context.config, "reporters", None) or ():
        # The summary's clock starts at its first feature: start it now, or it says
        # "Took 29936398min".
        if getattr(reporter, "testrun_start_time", None) == 0:
            reporter.testrun_started()
