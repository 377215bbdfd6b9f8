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

from wsbdd.config import choose_environment, load_settings
from wsbdd.reporting import attach_scenario_record
from wsbdd.run import RunContext
from wsbdd.scenario import ScenarioSession

__all__ = ["after_all", "after_scenario", "before_all", "before_scenario"]


def before_all(context: Any) -> None:
    """Load the environment, start the managed server (if any) and the client loop."""
    userdata = dict(context.config.userdata)
    env_name = choose_environment(None, userdata)
    settings = load_settings(env_name, env_dir=userdata.get("env_dir", "environments"))
    run = RunContext(settings)
    context.wsbdd_run = run
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


def after_scenario(context: Any, scenario: Any) -> None:
    """Attach each client's transcript to the report, then close every client."""
    session: ScenarioSession | None = getattr(context, "wsbdd", None)
    if session is None:
        return
    try:
        attach_scenario_record(session)
    finally:
        session.close()
        context.wsbdd = None


def after_all(context: Any) -> None:
    """Close every client, the HTTP client and the managed server."""
    run: RunContext | None = getattr(context, "wsbdd_run", None)
    if run is not None:
        run.close()
        context.wsbdd_run = None
