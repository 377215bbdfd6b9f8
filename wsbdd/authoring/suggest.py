"""Closest known phrases for a step nobody defined ("did you mean"), for lint and for runs."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from wsbdd.authoring.catalogue import (
    StepMatcher,
    definitions_matching,
    load_examples,
    registry_steps,
)

__all__ = ["Phrases", "render_suggestions", "suggest_for_undefined"]

MAX_SUGGESTIONS = 3
CUTOFF = 0.6


class Phrases:
    """The known phrases of a step registry, built once and searched per undefined step.

    The library's steps are known by their examples (those a definition
    matches); any other step, a project's own or a library step without an
    example, by its pattern (readable for behave's "parse" patterns).
    """

    def __init__(self, steps: dict[str, list[StepMatcher]]) -> None:
        self._steps = steps
        self._shown: dict[str, str] | None = None  # built on the first search

    def _build(self) -> dict[str, str]:
        steps = self._steps
        phrases: list[tuple[str, str]] = []
        covered: set[int] = set()
        for example in load_examples():
            matching = definitions_matching(steps, example.step_type, example.name)
            if matching:
                phrases.append((example.name, example.phrase))
                covered.update(id(m.func) for m in matching)
        for step_type, matchers in steps.items():
            for matcher in matchers:
                if id(matcher.func) in covered:
                    continue
                pattern = str(matcher.pattern).removeprefix("^").removesuffix("$")
                keyword = "Given/When/Then" if step_type == "step" else step_type.title()
                phrases.append((pattern, f"{keyword} {pattern}"))
        shown: dict[str, str] = {}
        for text, phrase in phrases:
            shown.setdefault(text.lower(), phrase)
        return shown

    def closest(self, name: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
        """Up to ``limit`` known phrases closest to the step text ``name``, best first."""
        if self._shown is None:
            self._shown = self._build()
        close = difflib.get_close_matches(name.lower(), list(self._shown), n=limit, cutoff=CUTOFF)
        return [self._shown[text] for text in close]


def render_suggestions(suggestions: Sequence[str], indent: str = "    ") -> list[str]:
    """``did you mean: ...`` lines, one phrase per line."""
    if not suggestions:
        return []
    head = f"{indent}did you mean: "
    pad = " " * len(head)
    return [head + suggestions[0], *(pad + s for s in suggestions[1:])]


def suggest_for_undefined(scenario: Any, stream: TextIO | None = None) -> list[str]:
    """Print "did you mean" for each undefined step of a finished scenario (to stderr).

    Called from ``after_scenario``: behave prints its own snippet for the step;
    this adds the closest phrases of the step catalogue. Returns the lines printed.
    """
    undefined = [
        step
        for step in getattr(scenario, "all_steps", ())
        if getattr(getattr(step, "status", None), "name", "") == "undefined"
    ]
    if not undefined:
        return []
    phrases = Phrases(registry_steps())
    lines: list[str] = []
    for step in undefined:
        lines.append(f"undefined step at {step.location}: {step.keyword} {step.name}")
        lines.extend(render_suggestions(phrases.closest(step.name)))
    out = stream if stream is not None else sys.stderr
    print("\n".join(lines), file=out, flush=True)
    return lines
