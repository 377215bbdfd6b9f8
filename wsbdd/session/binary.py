"""Binary frames written as hex: exact, by prefix, next, in order; with the first differing byte.

Hex may be written with or without spaces (``"0a0b0c"``, ``"0a 0b 0c"``) and is
printed back the way it was written. When no frame fits, the failure shows
the closest binary frame and the first byte offset where it differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from wsbdd.core.codecs import HexFrame, first_difference, parse_hex
from wsbdd.core.exceptions import UsageError
from wsbdd.core.records import Message
from wsbdd.session.receiving import Receiver
from wsbdd.session.timing import ScenarioTiming

__all__ = ["BinaryChecks", "hex_frame", "hex_lines"]


def hex_frame(text: str) -> HexFrame:
    """The frame a step wrote in hex (``UsageError`` in plain words when it is not hex)."""
    try:
        return parse_hex(text)
    except ValueError as exc:
        raise UsageError(f'{exc} (write bytes as pairs of 0-9 and a-f, e.g. "0a 0b 0c")') from None


def hex_lines(text: str) -> list[HexFrame]:
    """One hex frame per line of a doc string (empty lines are skipped)."""
    frames = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            frames.append(parse_hex(line))
        except ValueError as exc:
            raise UsageError(f"line {number} of the doc string: {exc}") from None
    if not frames:
        raise UsageError("expected at least one hex frame in the doc string (one per line)")
    return frames


def _difference(frame: HexFrame, message: Message, *, prefix: bool) -> str:
    """``differs at byte 3: expected 0c, got 0d`` (or what is missing or extra)."""
    got = message.data if isinstance(message.data, bytes) else b""
    if not isinstance(message.data, bytes):
        return "it is a text frame"
    wanted = frame.data
    offset = first_difference(wanted, got[: len(wanted)] if prefix else got)
    if offset is None:
        return "it is the same"
    if offset >= len(got):
        return f"it ends after {len(got)} bytes; expected {len(wanted)} bytes"
    if offset >= len(wanted):
        return f"it is longer: {len(got)} bytes where {len(wanted)} were expected"
    return (
        f"first difference at byte {offset}: expected {wanted[offset]:02x}, got {got[offset]:02x}"
    )


def _shared_prefix(frame: HexFrame, message: Message) -> int:
    got = message.data if isinstance(message.data, bytes) else b""
    offset = first_difference(frame.data, got[: len(frame.data)])
    return len(frame.data) if offset is None else offset


class BinaryChecks:
    """The binary-frame steps of one scenario."""

    def __init__(self, receiver: Receiver, timing: ScenarioTiming) -> None:
        self._receiver = receiver
        self._timing = timing

    def _closest(
        self, frame: HexFrame, *, prefix: bool
    ) -> Callable[[Sequence[Message]], list[str]]:
        def explain(inbox: Sequence[Message]) -> list[str]:
            binary = [m for m in inbox if isinstance(m.data, bytes)]
            if not binary:
                return ["no binary frame is among the unconsumed messages"]
            best = max(binary, key=lambda m: (_shared_prefix(frame, m), -m.index))
            data = best.data if isinstance(best.data, bytes) else b""
            return [
                f"closest binary frame: #{best.index} {frame.show(data)}",
                f"  {_difference(frame, best, prefix=prefix)}",
            ]

        return explain

    def receive_exact(self, name: str, frame: HexFrame, within: float | None) -> Message:
        """``receives the binary message "0a 0b"``: a binary frame with exactly these bytes."""
        return self._receiver.receive_where(
            name,
            lambda m: m.kind == "binary" and m.data == frame.data,
            f"the binary message {frame.show()}",
            self._timing.message(within),
            explain=self._closest(frame, prefix=False),
        )

    def receive_prefix(self, name: str, frame: HexFrame, within: float | None) -> Message:
        """``receives a binary message starting with "30 0c"``."""
        return self._receiver.receive_where(
            name,
            lambda m: isinstance(m.data, bytes) and m.data.startswith(frame.data),
            f"a binary message starting with {frame.show()}",
            self._timing.message(within),
            explain=self._closest(frame, prefix=True),
        )

    def next_exact(self, name: str, frame: HexFrame) -> Message:
        """``next message is the binary message "…"``: strictly the next one."""

        def problem(message: Message) -> str | None:
            if isinstance(message.data, bytes) and message.data == frame.data:
                return None
            return f"expected: {frame.show()}; {_difference(frame, message, prefix=False)}"

        return self._receiver.next_where(
            name, problem, f"the binary message {frame.show()}", self._timing.message(None)
        )

    def receive_in_order(self, name: str, frames: Sequence[HexFrame], within: float | None) -> None:
        """``receives, in order, the binary messages:`` one hex frame per line."""

        def accept(frame: HexFrame) -> Callable[[Message], bool]:
            return lambda m: isinstance(m.data, bytes) and m.data == frame.data

        def explain(done: int, inbox: Sequence[Message]) -> list[str]:
            return self._closest(frames[done], prefix=False)(inbox)

        self._receiver.receive_in_order_where(
            name,
            [accept(f) for f in frames],
            [f"the binary message {f.show()}" for f in frames],
            self._timing.message(within),
            explain,
        )
