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

import os
import sys
from pathlib import Path
from typing import Any

from wsbdd.authoring.suggest import suggest_for_undefined
from wsbdd.config import choose_environment, load_settings
from wsbdd.core.exceptions import WsbddError
from wsbdd.match_memo import install as remember_matches
from wsbdd.mistakes import install, set_verbose, stop_before_first_scenario
from wsbdd.preflight import Finding, check_run, stop_message
from wsbdd.reporting import ScenarioReport, use_redactor, write_environment
from wsbdd.reporting.contract_report import write_contract_coverage, write_coverage_parts
from wsbdd.reporting.learning import learn_features
from wsbdd.reporting.release import release_scenario
from wsbdd.reporting.run_environment import allure_results_dirs
from wsbdd.run import RunContext
from wsbdd.session.scenario import ScenarioSession

__all__ = ["after_all", "after_scenario", "after_step", "before_all", "before_scenario"]


def before_all(context: Any) -> None:
    """Check the environment and what the features use, then start the server and clients.

    A mistake found here (a bad environment key, an unknown profile, a missing
    token or schema file) is printed once and the run stops before the first
    scenario; see :mod:`wsbdd.preflight`.
    """
    install()  # a step's mistake is shown as one line (wsbdd.mistakes)
    remember_matches(_registry(context))  # a step text finds its definition once
    set_verbose(bool(getattr(context.config, "verbose", False)))
    userdata = dict(context.config.userdata)
    try:
        env_name = choose_environment(None, userdata)
        settings = load_settings(env_name, env_dir=userdata.get("env_dir", "environments"))
        run = RunContext(settings)
        run.features_dirs = run.contracts.features_dirs = _features_dirs(context.config)
        run.contracts.default_checker(("channel",))  # a bad WSBDD_ASYNCAPI stops the run here
        findings = check_run(
            settings,
            list(getattr(context._runner, "features", None) or ()),
            config=context.config,
            registry=_registry(context),
            schemas=run.schemas,
            load_profile=run.profile,
        )
    except WsbddError as error:
        findings = [Finding("", str(error))]
    if findings:
        stop_before_first_scenario(context, stop_message(findings))
        return
    context.wsbdd_run = run
    use_redactor(run.redactor)  # the Allure writer hides the run's secrets
    features = getattr(getattr(context, "_runner", None), "features", ())
    learn_features(run.redactor, features)  # their tables' and outlines' secrets, first
    try:
        run.start()
    except WsbddError as error:
        run.close()
        context.wsbdd_run = None
        stop_before_first_scenario(context, stop_message([Finding("", str(error))]))
    except BaseException:
        run.close()
        context.wsbdd_run = None
        raise


def _registry(context: Any) -> Any:
    from behave.step_registry import registry

    return getattr(context._runner, "step_registry", None) or registry


def before_scenario(context: Any, scenario: Any) -> None:
    """A fresh session per scenario: variables, tokens and clients start empty."""
    run: RunContext | None = getattr(context, "wsbdd_run", None)
    if run is None:
        return
    session = ScenarioSession(run)
    _put(context, wsbdd=session, wsbdd_report=ScenarioReport(session))


def _put(context: Any, **values: Any) -> None:
    """Set scenario attributes without behave's per-set stack capture (hot: every scenario).

    ``Context.__setattr__`` records ``traceback.extract_stack`` for each set,
    only to warn when a user attribute masks another; wsbdd's own names need
    no such warning. Falls back to plain setting on a context without frames.
    """
    stack = getattr(context, "_stack", None)
    if not stack or not isinstance(stack[0], dict):
        for name, value in values.items():
            setattr(context, name, value)
        return
    stack[0].update(values)


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
            session.contracts.record_coverage(scenario.name, scenario.effective_tags)
            if report is not None:
                report.after_scenario()
        finally:
            # One hop: the clients' records are copied, then the clients close.
            records = session.close(report.records_wanted if report is not None else None)
        if report is not None:
            report.attach_clients(records)
    finally:
        _put(context, wsbdd=None, wsbdd_report=None)
        received = report.received_messages if report is not None else (0, 0)
        report = session = None  # unreachable from here when it is collected
        release_scenario(scenario, received)  # behave keeps failed steps' frames: let them go


def after_all(context: Any) -> None:
    """Write the report's environment section; close the clients, HTTP and the server."""
    run: RunContext | None = getattr(context, "wsbdd_run", None)
    if run is not None:
        try:
            write_environment(context.config, run.settings, run.redactor)
            _report_contracts(context, run)
        finally:
            run.close()
            context.wsbdd_run = None


def _report_contracts(context: Any, run: RunContext) -> None:
    """Print each AsyncAPI contract's coverage and add it to the report."""
    coverages = list(run.contracts.coverage.values())
    if not coverages:
        return
    worker = os.environ.get("WSBDD_WORKER")
    if worker:  # a parallel worker: the run sums every worker's part (wsbdd.parallel)
        write_coverage_parts(allure_results_dirs(context.config), coverages, worker)
        return
    out = sys.__stdout__ or sys.stdout
    for coverage in coverages:
        out.write(run.redactor.text(coverage.summary()) + "\n")
    out.flush()
    write_contract_coverage(allure_results_dirs(context.config), coverages, run.redactor)


def _features_dirs(config: Any) -> list[Path]:
    """The folders of the features being run, where contract files are looked for first."""
    found: list[Path] = []
    for given in getattr(config, "paths", None) or ():
        path = Path(str(given))
        if not path.exists():
            path = Path(str(given).rsplit(":", 1)[0])  # features/x.feature:12
        folder = path if path.is_dir() else path.parent
        if (folder / "features").is_dir():
            found.append(folder / "features")  # behave was given the project's root
        found.append(folder)
    return found
