"""What ``wsbdd lint`` reports (:class:`Problem`) and what it knows of the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from wsbdd.authoring.suggest import render_suggestions

__all__ = ["LintTarget", "Problem"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, at a file and line."""

    path: str
    line: int
    kind: str
    message: str
    suggestions: tuple[str, ...] = field(default=(), compare=False)

    def render(self) -> str:
        """``path:line: kind: message`` then one ``did you mean`` line per suggestion."""
        head = f"{self.path}:{self.line}: {self.kind}: {self.message}"
        return "\n".join([head, *render_suggestions(self.suggestions)])


@dataclass(frozen=True)
class LintTarget:
    """What the chosen environment tells lint: variables, schema folder, where it came from.

    ``tokens`` are the identities with a ``WSBDD_TOKEN_<USER>`` (lower case);
    ``None`` when no environment file was read, and tokens are not checked.
    """

    environ: Mapping[str, str]
    schemas_dir: Path
    source: str
    tokens: frozenset[str] | None = None
