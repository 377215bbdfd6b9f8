"""The run's redactor, for the parts of reporting that behave creates before the run.

behave builds its formatters before ``before_all`` loads the environment, so
the Allure writer cannot be handed the run's :class:`~wsbdd.core.redaction.Redactor`.
``wsbdd.hooks.before_all`` registers it here; the writer reads it each time it
writes, so tokens added during the run (``Given the tokens:``) are hidden too.
"""

from __future__ import annotations

from wsbdd.core.redaction import Redactor

__all__ = ["current_redactor", "use_redactor"]

_current: Redactor | None = None


def use_redactor(redactor: Redactor | None) -> None:
    """Make ``redactor`` the one every report writer applies (None: stop redacting)."""
    global _current
    _current = redactor


def current_redactor() -> Redactor | None:
    """The run's redactor, or None outside a wsbdd run."""
    return _current
