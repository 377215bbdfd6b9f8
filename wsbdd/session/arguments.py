"""A step's arguments with the scenario's ``${variables}`` substituted."""

from __future__ import annotations

from typing import Any

from wsbdd.core.exceptions import UsageError
from wsbdd.core.matching import Variables, render_json, render_json_lines, substitute

__all__ = ["Arguments"]


class Arguments:
    """The scenario's variables, and the text and JSON of steps rendered with them."""

    def __init__(self, variables: Variables) -> None:
        self.variables = variables

    def text(self, value: str) -> str:
        """Substitute ``${variables}`` in a step argument."""
        return substitute(value, self.variables)

    def json(self, text: str) -> Any:
        """Substitute variables, then parse one JSON document."""
        return render_json(text, self.variables)

    def json_lines(self, text: str) -> list[Any]:
        """Substitute variables, then parse several JSON values (at least one)."""
        values = render_json_lines(text, self.variables)
        if not values:
            raise UsageError("expected at least one JSON value in the doc string")
        return values
