"""behave hooks that set wsbdd up; reuse them with one import.

In a project's ``environment.py``::

    from wsbdd.hooks import *  # noqa: F403

To add hooks of your own, call ours from yours::

    from wsbdd import hooks

    def before_scenario(context, scenario):
        hooks.before_scenario(context, scenario)
        ...  # your set-up

The environment is chosen by ``-D env=NAME`` (``wsbdd run --env NAME``) or
``WSBDD_ENV``; ``-D env_dir=PATH`` changes the folder (default
``environments``).
"""

from __future__ import annotations

from typing import Any

from wsbdd.authoring.suggest import suggest_for_undefined
from wsbdd.config import choose_environment, load_settings
from wsbdd.reporting import ScenarioReport, use_redactor, write_environment
from wsbdd.reporting.learning import learn_features
from wsbdd.reporting.release import release_scenario
from wsbdd.run import RunContext
from wsbdd.scenario import ScenarioSession

__all__ = ["after_all", "after_scenario", "after_step", "before_all", "before_scenario"]


def before_all(context: Any) -> None:
    """Load the environment, start the managed server (if any) and the client loop."""
    userdata = dict(context.config.userdata)
    env_name = choose_environment(None, userdata)
    settings = load_settings(env_name, env_dir=userdata.get("env_dir", "environments"))
    run = RunContext(settings)
    context.wsbdd_run = run
    use_redactor(run.redactor)  # the Allure writer hides the run's secrets
    features = getattr(getattr(context, "_runner", None), "features", ())
    learn_features(run.redactor, features)  # their tables' and outlines' secrets, first
    try:
        run.start()
    except BaseException:
        run.close()
        raise


def before_scenario(context: Any, scenario: Any) -> None:
    """A fresh session per scenario: variables, tokens and clients start empty."""
    run: RunContext | None = getattr(context, "wsbdd_run", None)
    if run is None:
        return
    context.wsbdd = ScenarioSession(run)
    context.wsbdd_report = ScenarioReport(context.wsbdd)


def after_step(context: Any, step: Any) -> None:
    """Attach a failed expectation's diff and a latency step's chart to the report."""
    report: ScenarioReport | None = getattr(context, "wsbdd_report", None)
    if report is not None:
        report.after_step(step)


def after_scenario(context: Any, scenario: Any) -> None:
    """Attach each client's transcript to the report, close every client, forget the scenario."""
    report: ScenarioReport | None = getattr(context, "wsbdd_report", None)
    session: ScenarioSession | None = getattr(context, "wsbdd", None)
    try:
        suggest_for_undefined(scenario)  # "did you mean" for undefined steps (wsbdd.authoring)
        if session is None:
            return
        try:
            if report is not None:
                report.after_scenario()
        finally:
            session.close()
    finally:
        context.wsbdd = None
        context.wsbdd_report = None
        received = report.received_messages if report is not None else (0, 0)
        report = session = None  # unreachable from here when it is collected
        release_scenario(scenario, received)  # behave keeps failed steps' frames: let them go


def after_all(context: Any) -> None:
    """Write the report's environment section; close the clients, HTTP and the server."""
    run: RunContext | None = getattr(context, "wsbdd_run", None)
    if run is not None:
        try:
            write_environment(context.config, run.settings, run.redactor)
        finally:
            run.close()
            context.wsbdd_run = None
