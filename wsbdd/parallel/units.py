"""The unit of work of a parallel run: one scenario, where it is and how it runs.

Kept apart from :mod:`~wsbdd.parallel.selection` (which needs behave's parser)
so that planning, supervising and merging can be imported without behave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["SERIAL_TAG", "Unit"]

SERIAL_TAG: Final = "serial"
"""Scenarios (or features) tagged ``@serial`` run alone, after the parallel part."""


@dataclass(frozen=True)
class Unit:
    """One scenario of the run: where it is, its name, whether it runs and runs alone."""

    location: str
    feature: str
    name: str
    runs: bool
    serial: bool

    @property
    def key(self) -> str:
        """The name its duration is remembered under (stable when lines move)."""
        return f"{self.feature}::{self.name}"
