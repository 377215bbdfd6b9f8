"""What an expectation answers when it is fed: pending, satisfied, or failed.

An expectation (see :class:`Expectation`) is a small state machine without
I/O. The loop side feeds it what happens to one client — new messages, the
connection's close, the deadline — and each feed answers a verdict:

* :data:`PENDING` – keep waiting;
* :class:`Satisfied` – done, with a result and the messages it uses up;
* :class:`Failed` – done, with the failure a tester reads (and the messages
  it used up all the same, such as a next message that did not match).

The caller consumes ``consumed`` from the client's inbox and, for a failure,
raises :class:`~wsbdd.core.exceptions.ExpectationFailed` from
:class:`Failure` (redacting its text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

from wsbdd.core.matching import Mismatch
from wsbdd.core.records import CloseInfo, Message

__all__ = [
    "PENDING",
    "Expectation",
    "Failed",
    "Failure",
    "GivesUpWhenClosed",
    "Pending",
    "Satisfied",
    "Verdict",
    "View",
]

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Failure:
    """A broken expectation: its text and :class:`ExpectationFailed`'s structured fields."""

    text: str
    client: str | None = None
    expected: Any = None
    closest: Message | None = None
    diff: tuple[Mismatch, ...] = ()


@dataclass(frozen=True, slots=True)
class Pending:
    """Not decided yet: feed it more."""


PENDING = Pending()
"""The one :class:`Pending` verdict."""


@dataclass(frozen=True, slots=True)
class Satisfied(Generic[R]):
    """The expectation is met: ``result``, and the messages it uses up (in order)."""

    result: R
    consumed: tuple[Message, ...] = ()


@dataclass(frozen=True, slots=True)
class Failed:
    """The expectation is broken: ``failure``, and the messages it used up anyway."""

    failure: Failure
    consumed: tuple[Message, ...] = ()


Verdict: TypeAlias = "Pending | Satisfied[R] | Failed"
"""What every feed answers."""


@dataclass(frozen=True, slots=True)
class View:
    """The client as a closing event sees it: the time, its unconsumed messages, its close.

    ``inbox`` is the client's unconsumed messages in arrival order; ``close``
    is how its connection ended (None while open); ``pings`` the arrival times
    of the protocol pings it received.
    """

    at: float
    inbox: Sequence[Message]
    close: CloseInfo | None = None
    pings: Sequence[float] = ()


class Expectation(Generic[R]):
    """A state machine fed one client's events; every feed answers a :data:`Verdict`.

    Feed :meth:`on_messages` with each batch of new messages (arrival order,
    each message once), :meth:`on_closed` once the connection has ended, and
    :meth:`on_deadline` when the wait's time is up. After a verdict other
    than :data:`PENDING` the machine is done: feed it nothing more.
    """

    def on_messages(self, messages: Sequence[Message]) -> Verdict[R]:
        """New messages arrived (or were already waiting, at the first feed)."""
        return PENDING

    def on_closed(self, view: View, drained: bool) -> Verdict[R]:
        """The connection ended; ``drained``: every message it will deliver was fed."""
        return PENDING

    def on_deadline(self, view: View) -> Verdict[R]:
        """The wait's time is up."""
        raise NotImplementedError


class GivesUpWhenClosed(Expectation[R]):
    """A wait for messages: once a closed client delivered everything, it fails at once.

    The failure is the deadline's (it shows the close) instead of running out the clock.
    """

    def on_closed(self, view: View, drained: bool) -> Verdict[R]:
        """Fail as at the deadline when nothing more can arrive."""
        return self.on_deadline(view) if drained else PENDING
