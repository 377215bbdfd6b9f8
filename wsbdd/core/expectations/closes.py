"""Expectations of how a connection ends: closed as described, or still open."""

from __future__ import annotations

from wsbdd.core.close_texts import (
    close_as_wanted,
    describe_close,
    describe_wanted_close,
    real_close,
)
from wsbdd.core.deadlines import Deadline
from wsbdd.core.expectations.failures import wait_failure
from wsbdd.core.expectations.verdicts import (
    Expectation,
    Failed,
    Failure,
    Satisfied,
    Verdict,
    View,
)
from wsbdd.core.records import CloseInfo
from wsbdd.core.timing import format_duration

__all__ = ["Closed", "StaysOpen"]


class Closed(Expectation[CloseInfo]):
    """The client gets closed (as described) before the deadline.

    ``code`` / ``reason`` None accept any; ``by_server`` refuses a close the
    client started; ``without_close_frame`` wants the connection cut.
    """

    def __init__(
        self,
        name: str,
        deadline: Deadline,
        *,
        code: int | None = None,
        reason: str | None = None,
        by_server: bool = False,
        without_close_frame: bool = False,
    ) -> None:
        self.name, self.deadline = name, deadline
        self.code, self.reason = code, reason
        self.by_server, self.without_close_frame = by_server, without_close_frame
        self.wanted = describe_wanted_close(code, reason, by_server, without_close_frame)

    def on_closed(self, view: View, drained: bool) -> Verdict[CloseInfo]:
        """Satisfied by the close wanted; failed by another."""
        info = view.close
        if info is None:
            raise ValueError("on_closed needs the view's close")
        if close_as_wanted(info, self.code, self.reason, self.by_server, self.without_close_frame):
            return Satisfied(info)
        return Failed(
            Failure(
                f"client {self.name} was expected to be {self.wanted}, "
                f"but it was {real_close(info, self.reason)}"
            )
        )

    def on_deadline(self, view: View) -> Verdict[CloseInfo]:
        """Still open."""
        return Failed(
            wait_failure(
                self.name,
                f"get {self.wanted}",
                self.deadline,
                view,
                extra=[f"client {self.name} is still open"],
            )
        )


class StaysOpen(Expectation[None]):
    """The client is still open after the wait (started at ``start``)."""

    def __init__(self, name: str, duration: float, start: float) -> None:
        self.name, self.duration, self.start = name, duration, start

    def on_closed(self, view: View, drained: bool) -> Verdict[None]:
        """Any close breaks it."""
        info = view.close
        if info is None:
            raise ValueError("on_closed needs the view's close")
        return Failed(
            Failure(
                f"client {self.name} was expected to stay open for "
                f"{format_duration(self.duration)}, but after "
                f"{format_duration(max(0.0, info.at - self.start))} it was {describe_close(info)}"
            )
        )

    def on_deadline(self, view: View) -> Verdict[None]:
        """Open all along."""
        return Satisfied(None)
