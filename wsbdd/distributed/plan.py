"""Pure parts of crowds on Locust: a crowd's plan, its split over workers, merged replies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Arrival", "Merged", "merge_replies", "split"]

Arrival = tuple[int, str, float]
"""``(member index, mark, arrival stamp)``: one delivery seen by one member."""


def split(size: int, workers: int) -> list[tuple[int, int]]:
    """``(offset, count)`` of each worker's slice of ``size`` members (as even as can be)."""
    if workers < 1:
        raise ValueError(f"at least 1 worker is needed, got {workers}")
    base, extra = divmod(size, workers)
    slices, offset = [], 0
    for position in range(workers):
        count = base + (1 if position < extra else 0)
        slices.append((offset, count))
        offset += count
    return slices


@dataclass
class Merged:
    """Every worker's reply to one command, added up."""

    attempted: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    arrivals: list[Arrival] = field(default_factory=list)
    elapsed: float = 0.0
    workers: int = 0

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


def merge_replies(replies: Sequence[Mapping[str, Any]]) -> Merged:
    """Add up the workers' replies (``attempted``, ``failures``, ``arrivals``, ``elapsed``)."""
    merged = Merged(workers=len(replies))
    for reply in replies:
        merged.attempted += int(reply.get("attempted", 0))
        merged.failures.update({str(k): int(v) for k, v in reply.get("failures", {}).items()})
        merged.arrivals.extend(
            (int(i), str(mark), float(at)) for i, mark, at in reply.get("arrivals", [])
        )
        merged.elapsed = max(merged.elapsed, float(reply.get("elapsed", 0.0)))
    return merged
