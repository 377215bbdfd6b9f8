"""Every public module declares its exports, completely (DESIGN.md, principle 8)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from types import ModuleType

import pytest

import wsbdd

GEVENT_MODULES = ("wsbdd.distributed.locustfile", "wsbdd.distributed.master")
"""Entry points of Locust processes: importing them monkey-patches the interpreter (gevent),
so they are checked in a process of their own."""


def public_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(wsbdd.__path__, "wsbdd."):
        parts = info.name.split(".")[1:]
        if any(part.startswith("_") for part in parts):
            continue  # private modules (and __main__) declare nothing
        if info.name in GEVENT_MODULES:
            continue
        names.append(info.name)
    return names


def defined_here(module: ModuleType) -> set[str]:
    """Public classes and functions the module itself defines (not ones it imports)."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", None) == module.__name__
    }


def test_there_are_public_modules() -> None:
    assert {"wsbdd.session.scenario", "wsbdd.runtime", "wsbdd.server", "wsbdd.steps"} <= set(
        public_modules()
    )


@pytest.mark.parametrize("name", public_modules())
def test_the_module_declares_complete_exports(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert not [n for n in exported if not hasattr(module, n)], f"{name}.__all__ names nothing"
    if name.startswith("wsbdd.steps."):
        return  # step modules register their steps with behave and export nothing
    missing = defined_here(module) - set(exported)
    assert not missing, f"{name} defines public {sorted(missing)} but leaves them out of __all__"


@pytest.mark.parametrize("name", GEVENT_MODULES)
def test_the_locust_entry_points_declare_complete_exports(name: str) -> None:
    code = (
        "import importlib, inspect, sys\n"
        f"m = importlib.import_module({name!r})\n"
        "ex = getattr(m, '__all__', None)\n"
        "assert ex is not None, 'no __all__'\n"
        "assert all(hasattr(m, n) for n in ex), '__all__ names nothing'\n"
        "here = {n for n, v in vars(m).items() if not n.startswith('_') and "
        "(inspect.isclass(v) or inspect.isfunction(v)) and v.__module__ == m.__name__}\n"
        "assert here <= set(ex), sorted(here - set(ex))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]


CUSTOM_STEP_NEEDS = {
    # the session and how a step finds it
    "ScenarioSession": "wsbdd.session.scenario",
    "session_of": "wsbdd.steps._common",
    "ConnectSpec": "wsbdd.session.roster",
    # the exception tree
    "ExpectationFailed": "wsbdd.core.exceptions",
    "WsbddError": "wsbdd.core.exceptions",
    "UsageError": "wsbdd.core.exceptions",
    "ConfigError": "wsbdd.core.exceptions",
    # matching
    "match": "wsbdd.core.matching.matchers",
    "matches": "wsbdd.core.matching.matchers",
    "Mismatch": "wsbdd.core.mismatch",
    "select": "wsbdd.core.matching.jsonpath",
    "substitute": "wsbdd.core.matching.templating",
    "Variables": "wsbdd.core.matching.templating",
    # records and phrase fragments
    "Message": "wsbdd.core.records",
    "parse_duration": "wsbdd.core.timing",
}


@pytest.mark.parametrize("name", sorted(CUSTOM_STEP_NEEDS))
def test_the_package_re_exports_what_a_custom_step_needs(name: str) -> None:
    assert name in wsbdd.__all__
    value = getattr(wsbdd, name)
    assert getattr(value, "__module__", None) == CUSTOM_STEP_NEEDS[name] or (
        name == "session_of" and value.__module__ == "wsbdd.steps._common"
    )


def test_every_package_export_resolves_and_is_listed_by_dir() -> None:
    assert not [n for n in wsbdd.__all__ if not hasattr(wsbdd, n)]
    assert set(wsbdd.__all__) <= set(dir(wsbdd))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = wsbdd.nothing_here  # type: ignore[attr-defined]


def test_importing_the_package_does_not_load_the_session_or_the_runtime() -> None:
    import subprocess
    import sys

    code = (
        "import sys, wsbdd; "
        "print(sorted(m for m in sys.modules if m.startswith(('wsbdd.session', 'wsbdd.runtime'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_loading_the_hooks_and_steps_leaves_the_optional_stacks_unloaded() -> None:
    """Start-up imports only what every run uses (issue 23: crowd wall time at N = 100).

    python-socketio (with aiohttp and python-engineio), httpx, jsonschema and
    PyYAML are imported by the first Socket.IO connection, HTTP request or SSE
    stream, schema check and contract read, not by ``wsbdd run`` itself.
    """
    import subprocess
    import sys

    heavy = ("socketio", "engineio", "aiohttp", "httpx", "httpx_sse", "jsonschema",
             "referencing", "yaml")
    code = (
        "import sys, wsbdd.hooks, wsbdd.steps; "
        "from wsbdd.runtime.http import HttpTrigger; "
        "HttpTrigger('http://127.0.0.1:9', timeout=1.0); "  # as the run starts it
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"loaded at start-up: {out.stdout.strip()}"


def test_starting_the_embedded_server_and_a_scenario_load_no_crowd_and_no_server_code() -> None:
    """What a run without crowds or HTTP steps imports beyond the hooks and steps.

    The embedded server runs as a subprocess: its parent only spawns it, so
    neither the server (nor psutil, for the memory steps) nor httpx (for a
    command's health check) are imported; crowds are built by the first crowd
    step; ``statistics`` is for balancing ``-j`` workers. About 0.1 s of CPU
    each ``wsbdd run`` and each parallel worker no longer spends.
    """
    import subprocess
    import sys

    unwanted = ("httpx", "psutil", "statistics", "wsbdd.server.app", "wsbdd.runtime.crowd",
                "wsbdd.session.crowds", "wsbdd.session.crowd_locust", "wsbdd.mock.analytics")
    code = (
        "import sys, wsbdd.hooks, wsbdd.steps, wsbdd.server.managed, wsbdd.parallel.balance; "
        "from wsbdd import cli; cli.build_parser('run'); "
        f"print(sorted(m for m in {unwanted!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"loaded at start-up: {out.stdout.strip()}"
