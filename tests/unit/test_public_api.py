"""Every public module declares its exports, completely (DESIGN.md, principle 8)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import wsbdd


def public_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(wsbdd.__path__, "wsbdd."):
        parts = info.name.split(".")[1:]
        if any(part.startswith("_") for part in parts):
            continue  # private modules (and __main__) declare nothing
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
