"""Step matching, remembered: the same step text finds the same step definition.

behave finds a step's definition by trying every registered pattern in turn
(about two hundred with the wsbdd library) for every step it runs, and once
more for every step of the run when wsbdd checks up front that none is
undefined. The answer depends only on the step's keyword type and text and on
the registered definitions, so it is kept: a text seen before costs one
dictionary look-up and a copy of its match instead of a hundred pattern
tries. Registering a new definition forgets everything (the registry's size
is part of what is remembered), so a late ``@step`` is never missed, and the
order in which behave tries the patterns is behave's own.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["MatchMemo", "install"]

_MISSING = object()


class MatchMemo:
    """``registry.find_match``, with each (keyword type, text)'s answer kept."""

    def __init__(self, registry: Any) -> None:
        self._registry = registry
        self._find = registry.find_match
        self._found: dict[tuple[str, str], Any] = {}
        self._size = -1

    def __call__(self, step: Any) -> Any:
        size = sum(len(definitions) for definitions in self._registry.steps.values())
        if size != self._size:
            self._found.clear()
            self._size = size
        key = (step.step_type, step.name)
        found = self._found.get(key, _MISSING)
        if found is _MISSING:
            found = self._find(step)
            self._found[key] = found
        # A copy per step, as behave makes a new match each time (formatters keep them).
        return copy.copy(found) if found is not None else None


def install(registry: Any = None) -> None:
    """Remember ``registry``'s matches (behave's global step registry by default); once.

    ``before_all`` installs it on the registry the run uses (``context._runner.step_registry``).
    """
    if registry is None:
        from behave.step_registry import registry as behave_registry

        registry = behave_registry
    if not isinstance(vars(registry).get("find_match"), MatchMemo):
        registry.find_match = MatchMemo(registry)
