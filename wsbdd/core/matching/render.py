"""The text of a failed expectation: what was awaited, what came instead.

:func:`render_wait_failure` turns a :class:`WaitFailure` into the message a
tester reads in the behave output and the report, for example::

    client B did not receive {"type": "message", "from": "alice"} within 500 ms (waited 502 ms)
    closest message: #3 at +120 ms after the last trigger {"type": "message", "from": "bob"}
      $.from: expected "alice", got "bob"
    last 3 of 7 messages (times after the last trigger):
      #5 +130 ms {"type": "presence", "user": "carol"}
      #6 +150 ms <binary 3 bytes: 0a0b0c>
      #7 +180 ms {"type": "message", "from": "dave", "text": "yo"}
    client B was closed by the server with code 4403 "forbidden" at +31 ms after the last trigger

Offsets (``+120 ms``) count from :attr:`WaitFailure.origin`, a
``time.monotonic()`` reading such as the scenario's last trigger, and say so
(:attr:`WaitFailure.origin_label`). The report's transcript and failure diff
count from the scenario's start instead, written ``t=…``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from wsbdd.core.matching._describe import compact
from wsbdd.core.matching._paths import child
from wsbdd.core.matching.matchers import Mismatch, match
from wsbdd.core.records import CloseInfo, Message
from wsbdd.core.timing import format_duration

__all__ = [
    "WaitFailure",
    "closest",
    "describe_expected",
    "render_diff",
    "render_mismatches",
    "render_wait_failure",
]

_CLOSEST_LIMIT: Final = 300
_CODE_MEANINGS: Final = {
    1002: "a protocol error, such as a malformed frame",
    1007: "invalid message data, such as a text message that is not valid UTF-8",
    1009: "a message too big to accept",
}
"""RFC 6455 close codes that a client also sends when the server breaks the protocol."""
_LINE_LIMIT: Final = 160


@dataclass(frozen=True)
class WaitFailure:
    """Everything needed to explain a wait that ended without its message.

    * ``client`` – the client's name (``B``);
    * ``expectation`` – what was awaited, as a verb phrase after "did not":
      ``receive {"type": "pong"}`` or ``receive a binary message``;
    * ``waited`` – seconds actually waited;
    * ``messages`` – the messages the client received, oldest first;
    * ``expected`` – the expected JSON, or ``None`` when the expectation is
      not about JSON (then no "closest message" is shown; an expected JSON
      ``null`` cannot be diffed);
    * ``close`` – how the connection ended, if it did;
    * ``origin`` – the monotonic time offsets are counted from;
    * ``origin_label`` – what that instant is, after "after": ``the last trigger``
      or ``the step started``;
    * ``extra`` – more lines to add at the end (hints);
    * ``timeout`` – when given, `` within <timeout>`` is added to the headline;
    * ``show_last`` – how many of the latest messages to list;
    * ``nearest`` – :func:`closest` of ``messages`` and ``expected`` when the
      caller has it already (a search over a flood is costly), else found here;
    * ``closest_note`` – what to say when the closest message matches (an
      in-order wait: it came too early); by default that it matches.
    """

    client: str
    expectation: str
    waited: float
    messages: Sequence[Message]
    expected: Any = None
    close: CloseInfo | None = None
    origin: float = 0.0
    origin_label: str = "the last trigger"
    extra: Sequence[str] = ()
    timeout: float | None = None
    show_last: int = 5
    nearest: tuple[Message, list[Mismatch]] | None = None
    closest_note: str | None = None


def describe_expected(expected: Any, limit: int = _CLOSEST_LIMIT) -> str:
    """Compact one-line JSON of an expectation: ``{"type": "pong"}``."""
    return compact(expected, limit)


def render_mismatches(mismatches: Sequence[Mismatch], limit: int = 10) -> str:
    """One line per mismatch, ``$.from: expected "alice", got "bob"``."""
    lines = [str(m) for m in mismatches[:limit]]
    if len(mismatches) > limit:
        lines.append(f"… and {len(mismatches) - limit} more differences")
    return "\n".join(lines)


def render_diff(expected: Any, actual: Any) -> str:
    """The differences between ``expected`` and ``actual``, or ``matches``."""
    mismatches = match(expected, actual)
    return render_mismatches(mismatches) if mismatches else "matches"


def _leaves(expected: Any, path: str, out: list[str]) -> None:
    if isinstance(expected, dict) and expected:
        for key, value in expected.items():
            _leaves(value, child(path, key), out)
    elif isinstance(expected, list | tuple) and expected:
        for index, value in enumerate(expected):
            _leaves(value, child(path, index), out)
    else:
        out.append(path)


def _covered(leaf: str, mismatch_path: str) -> bool:
    return (
        leaf == mismatch_path
        or leaf.startswith(mismatch_path + ".")
        or leaf.startswith(mismatch_path + "[")
    )


def _matched_leaves(leaves: list[str], mismatches: list[Mismatch]) -> int:
    return sum(1 for leaf in leaves if not any(_covered(leaf, m.path) for m in mismatches))


def closest(messages: Sequence[Message], expected: Any) -> tuple[Message, list[Mismatch]] | None:
    """The message nearest to ``expected``, with its differences; ``None`` if no messages.

    JSON messages are ranked by fewest mismatches, then most matching values,
    then most recent. A non-JSON message (binary or plain text) is chosen
    only when no message is JSON: then the latest one, with the reason
    ``not JSON``.
    """
    json_messages = [m for m in messages if m.is_json]
    if not json_messages:
        if not messages:
            return None
        last = messages[-1]
        return last, [Mismatch("$", expected, _one_line(last, _LINE_LIMIT), "not JSON")]
    leaves: list[str] = []
    _leaves(expected, "$", leaves)
    best: tuple[Message, list[Mismatch]] | None = None
    best_key: tuple[int, int, int] | None = None
    for position, message in enumerate(json_messages):
        mismatches = match(expected, message.payload)
        key = (len(mismatches), -_matched_leaves(leaves, mismatches), -position)
        if best_key is None or key < best_key:
            best, best_key = (message, mismatches), key
    return best


def _one_line(message: Message, limit: int) -> str:
    """The message on one line: pretty-printed JSON is shown compact."""
    text = message.display(limit)
    if "\n" not in text and "\r" not in text:
        return text
    if message.is_json:
        return compact(message.payload, limit)
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _offset(at: float, origin: float) -> str:
    text = format_duration(at - origin)
    return text if text.startswith("-") else f"+{text}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_wait_failure(failure: WaitFailure) -> str:
    """The full, multi-line explanation of ``failure`` (see the module help)."""
    within = f" within {format_duration(failure.timeout)}" if failure.timeout is not None else ""
    lines = [
        f"client {failure.client} did not {failure.expectation}{within} "
        f"(waited {format_duration(failure.waited)})"
    ]
    messages = list(failure.messages)
    if failure.expected is not None:
        found = failure.nearest or closest(messages, failure.expected)
        if found is not None:
            message, mismatches = found
            lines.append(
                f"closest message: #{message.index} at "
                f"{_offset(message.received_at, failure.origin)} after {failure.origin_label} "
                f"{_one_line(message, _CLOSEST_LIMIT)}"
            )
            if mismatches:
                lines.extend("  " + line for line in render_mismatches(mismatches).splitlines())
            else:
                note = failure.closest_note or "this message matches the expectation"
                lines.append(f"  ({note})")
    if not messages:
        lines.append(f"client {failure.client} received no messages")
    else:
        shown = messages[-failure.show_last :] if failure.show_last > 0 else []
        times = f" (times after {failure.origin_label})" if shown else ""
        if len(shown) < len(messages):
            lines.append(f"last {len(shown)} of {_plural(len(messages), 'message')}{times}:")
        else:
            lines.append(f"{_plural(len(messages), 'message')} received{times}:")
        for message in shown:
            lines.append(
                f"  #{message.index} {_offset(message.received_at, failure.origin)} "
                f"{_one_line(message, _LINE_LIMIT)}"
            )
    if failure.close is not None:
        close = failure.close
        at = _offset(close.at, failure.origin)
        lines.append(
            f"client {failure.client} was {close.describe()} at {at} after {failure.origin_label}"
        )
        if close.clean and close.code in _CODE_MEANINGS:
            lines.append(f"  (code {close.code}: {_CODE_MEANINGS[close.code]})")
    lines.extend(failure.extra)
    return "\n".join(lines)
