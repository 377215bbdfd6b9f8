"""What the behave thread may read of a client: :class:`ClientView`, an immutable copy.

A :class:`~wsbdd.runtime.client.Client` belongs to the loop thread: its lists
grow while a step runs. :meth:`wsbdd.runtime.Clients.view` copies what steps
read, on the loop, into a :class:`ClientView`; nothing in it changes afterwards.
(The :class:`~wsbdd.core.records.Message` objects are shared, not copied: the
loop only ever appends them, and re-decodes them when a step changes the codec.)
"""

from __future__ import annotations

from dataclasses import dataclass

from wsbdd.core.records import CloseInfo, ConnectionSummary, ConnectResult, Message

from .request import ConnectRequest

__all__ = ["ClientView"]


@dataclass(frozen=True, slots=True)
class ClientView:
    """One client as it was when the view was taken (see the module docstring)."""

    name: str
    request: ConnectRequest
    result: ConnectResult
    close_info: CloseInfo | None
    is_open: bool
    subprotocol: str | None
    reading: bool
    answer_pings: bool
    inbox: tuple[Message, ...]
    """Unconsumed messages, in arrival order."""
    received: tuple[Message, ...]
    """Every message, on every connection of the scenario."""
    first_index: int
    pings: tuple[float, ...]
    pongs: tuple[float, ...]
    last_ping_sent: float | None
    connections: tuple[ConnectionSummary, ...]
