"""What the scenario's clients published: each publication with its correlation mark.

Every publication carries a *mark* (``${mark}`` in the profile's publish
template, echoed back at ``delivery.mark``), so that its arrival at every other
client can be found and timed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from wsbdd.core.exceptions import UsageError

__all__ = ["Publication", "Publications"]


@dataclass(frozen=True, slots=True)
class Publication:
    """One message a client published, with its correlation mark and send time."""

    client: str
    channel: str
    index: int
    mark: str
    text: str
    sent_at: float


class Publications:
    """The scenario's publications, in the order they were sent."""

    def __init__(self) -> None:
        self._run_id = uuid.uuid4().hex[:8]
        self.all: list[Publication] = []

    def next_index(self, sender: str) -> int:
        """The 1-based index of ``sender``'s next publication."""
        return sum(1 for p in self.all if p.client == sender) + 1

    def mark(self, sender: str, index: int) -> str:
        """The correlation mark of ``sender``'s publication number ``index``."""
        return f"wsbdd-{self._run_id}-{sender}-{index}"

    def add(self, publication: Publication) -> None:
        """Record a publication once sent."""
        self.all.append(publication)

    def of(self, sender: str) -> list[Publication]:
        """Every publication of ``sender`` (a UsageError when it published nothing)."""
        found = [p for p in self.all if p.client == sender]
        if not found:
            raise UsageError(
                f'client {sender} has published nothing in this scenario: add "When client '
                f'{sender} publishes ..." first'
            )
        return found
