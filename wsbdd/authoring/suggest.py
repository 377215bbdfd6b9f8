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

__all__ = ["closest_phrases", "known_phrases", "render_suggestions", "suggest_for_undefined"]

MAX_SUGGESTIONS = 3
CUTOFF = 0.6


def known_phrases(steps: dict[str, list[StepMatcher]]) -> list[tuple[str, str]]:
    """(step text, phrase to show) for every example, then every step without examples.

    The library's steps are known by their examples (those a definition matches);
    a project's own steps by their pattern (readable for behave's "parse" patterns).
    """
    phrases: list[tuple[str, str]] = [
        (e.name, e.phrase)
        for e in load_examples()
        if definitions_matching(steps, e.step_type, e.name)
    ]
    with_examples = {id(m.func) for kind in steps.values() for m in kind if _is_library(m)}
    for step_type, matchers in steps.items():
        for matcher in matchers:
            if id(matcher.func) in with_examples:
                continue
            pattern = str(matcher.pattern).removeprefix("^").removesuffix("$")
            keyword = "Given/When/Then" if step_type == "step" else step_type.title()
            phrases.append((pattern, f"{keyword} {pattern}"))
    return phrases


def _is_library(matcher: StepMatcher) -> bool:
    return str(matcher.func.__module__).startswith("wsbdd.steps")


def closest_phrases(
    name: str, steps: dict[str, list[StepMatcher]], limit: int = MAX_SUGGESTIONS
) -> list[str]:
    """Up to ``limit`` known phrases closest to the step text ``name``, best first."""
    phrases = known_phrases(steps)
    texts = list(dict.fromkeys(text.lower() for text, _ in phrases))
    shown: dict[str, str] = {}
    for text, phrase in phrases:
        shown.setdefault(text.lower(), phrase)
    close = difflib.get_close_matches(name.lower(), texts, n=limit, cutoff=CUTOFF)
    return [shown[text] for text in close]


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
    steps = registry_steps()
    lines: list[str] = []
    for step in undefined:
        lines.append(f"undefined step at {step.location}: {step.keyword} {step.name}")
        lines.extend(render_suggestions(closest_phrases(step.name, steps)))
    out = stream if stream is not None else sys.stderr
    print("\n".join(lines), file=out, flush=True)
    return lines
