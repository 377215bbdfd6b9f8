"""The report's defect categories: product defects apart from broken tests.

A *failed* scenario broke an expectation about the product (an
``ExpectationFailed``, or any assertion); a *broken* one could not test it: a
mistake in the environment or configuration (a ``WsbddError``), an undefined
or pending step, or a bug in a step or hook. The same rules feed Allure 2
(``categories.json`` in the results folder) and Allure 3 (``categories`` in
its config): first match wins. The regular expressions match a whole message
(Allure 2 matches whole strings, Allure 3 searches), so they start and end
with ``[\\s\\S]*``. Two rules with one name make one category (both tools
merge them): a ``WsbddError`` is known by its trace mark or by a message that
starts with the feature file and line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

__all__ = ["CATEGORIES", "CONFIGURATION_MARK", "write_categories"]

CONFIGURATION_MARK: Final = "wsbdd: a configuration or usage error (WsbddError)"
"""The first line of a broken step's trace when a ``WsbddError`` broke it (see statuses)."""

_ANY: Final = r"[\s\S]*"

CATEGORIES: Final[tuple[dict[str, Any], ...]] = (
    {
        "name": "Product defects: a broken expectation",
        "matchedStatuses": ["failed"],
    },
    {
        "name": "Broken tests: configuration or usage",
        "matchedStatuses": ["broken"],
        "traceRegex": _ANY + r"\(WsbddError\)" + _ANY,
    },
    {
        # A mistake shown as one line naming the feature file and line.
        "name": "Broken tests: configuration or usage",
        "matchedStatuses": ["broken"],
        "messageRegex": r"[^\n]*\.feature:\d+: " + _ANY,
    },
    {
        "name": "Broken tests: undefined or pending steps",
        "matchedStatuses": ["broken"],
        "messageRegex": r"(undefined|pending) step" + _ANY,
    },
    {
        "name": "Broken tests: an error in a step or hook",
        "matchedStatuses": ["broken"],
    },
)
"""The categories, most specific first, in the Allure 2 ``categories.json`` format."""


def write_categories(results: Path) -> Path:
    """Write ``categories.json`` into the results folder (read by Allure 2); its path."""
    path = results / "categories.json"
    path.write_text(json.dumps(list(CATEGORIES), indent=2) + "\n", encoding="utf-8")
    return path
