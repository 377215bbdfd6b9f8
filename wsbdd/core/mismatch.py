"""One difference between an expected and an actual value (what a failed match reports).

It lives apart from :mod:`wsbdd.core.matching.matchers` so that the exception
tree (:mod:`wsbdd.core.exceptions`) can carry mismatches without importing the
matchers, which raise those exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Mismatch"]


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One difference between the expected and the actual value.

    ``path`` is a JSON path such as ``$.items[0].qty``; ``expected`` is the
    value (or matcher string) that was written; ``actual`` is what arrived, or
    :data:`~wsbdd.core.matching.matchers.MISSING`; ``reason`` is a short
    sentence such as ``expected 2, got "2" (a string)``.
    """

    path: str
    expected: Any
    actual: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
