"""Failure text: closest message, diffs, wait failures (wsbdd.core.matching.render)."""

from __future__ import annotations

from typing import Any

import pytest

from wsbdd.core.matching.matchers import Mismatch
from wsbdd.core.matching.render import (
    WaitFailure,
    closest,
    describe_expected,
    render_diff,
    render_mismatches,
    render_wait_failure,
)
from wsbdd.core.records import CloseInfo, Message

ORIGIN = 1000.0


def msg(index: int, data: str | bytes, ms: float = 0.0) -> Message:
    return Message.parse("B", index, data, ORIGIN + ms / 1000)


EXPECTED: dict[str, Any] = {"type": "message", "from": "alice", "text": "hi"}


# -- closest ------------------------------------------------------------------------


def test_closest_prefers_fewest_mismatches() -> None:
    messages = [
        msg(1, '{"type": "presence", "user": "carol"}'),
        msg(2, '{"type": "message", "from": "bob", "text": "hi"}'),
        msg(3, '{"type": "message", "from": "bob", "text": "yo"}'),
    ]
    found = closest(messages, EXPECTED)
    assert found is not None
    message, mismatches = found
    assert message.index == 2
    assert [str(m) for m in mismatches] == ['$.from: expected "alice", got "bob"']


def test_closest_ties_broken_by_matching_values() -> None:
    expected = {"a": {"x": 1, "y": 2, "z": 3}, "b": 1}
    # both have one mismatch; message 1 misses the whole "a" object, message 2 one value
    messages = [msg(1, '{"b": 1}'), msg(2, '{"a": {"x": 1, "y": 2, "z": 0}, "b": 1}')]
    found = closest(messages, expected)
    assert found is not None and found[0].index == 2
    # and the order of arrival does not matter
    found = closest(list(reversed(messages)), expected)
    assert found is not None and found[0].index == 2


def test_closest_ties_broken_by_most_recent() -> None:
    messages = [msg(1, '{"type": "a"}'), msg(2, '{"type": "b"}'), msg(3, '{"type": "c"}')]
    found = closest(messages, {"type": "x"})
    assert found is not None and found[0].index == 3


def test_closest_skips_non_json_when_json_exists() -> None:
    messages = [msg(1, '{"type": "nothing like it"}'), msg(2, "hello"), msg(3, b"\x01\x02")]
    found = closest(messages, EXPECTED)
    assert found is not None and found[0].index == 1


def test_closest_non_json_only_when_nothing_else() -> None:
    found = closest([msg(1, "plain"), msg(2, b"\x0a\x0b")], EXPECTED)
    assert found is not None
    message, [mismatch] = found
    assert message.index == 2
    assert mismatch.reason == "not JSON"
    assert mismatch.actual == "<binary 2 bytes: 0a0b>"


def test_closest_of_nothing() -> None:
    assert closest([], EXPECTED) is None


def test_closest_can_be_a_full_match() -> None:
    found = closest(
        [msg(1, '{"type": "message", "from": "alice", "text": "hi", "x": 1}')], EXPECTED
    )
    assert found is not None and found[1] == []


# -- small renderers ----------------------------------------------------------------


def test_describe_expected_is_compact_json() -> None:
    assert describe_expected(EXPECTED) == '{"type": "message", "from": "alice", "text": "hi"}'
    assert describe_expected({"s": "é"}) == '{"s": "é"}'


def test_describe_expected_truncates_long_values() -> None:
    text = describe_expected({"t": "x" * 1000}, limit=50)
    assert len(text) == 50
    assert text.endswith("…")


def test_render_mismatches_one_line_each_and_limited() -> None:
    mismatches = [Mismatch(f"$.k{i}", 1, 2, "expected 1, got 2") for i in range(12)]
    lines = render_mismatches(mismatches).splitlines()
    assert lines[0] == "$.k0: expected 1, got 2"
    assert lines[-1] == "… and 2 more differences"
    assert len(lines) == 11


def test_render_diff() -> None:
    assert render_diff({"a": 1, "b": 2}, {"a": 2}) == "$.a: expected 1, got 2\n$.b: missing key"
    assert render_diff({"a": 1}, {"a": 1, "b": 2}) == "matches"


# -- wait failures ------------------------------------------------------------------


def seven_messages() -> list[Message]:
    return [
        msg(1, '{"type": "hello"}', 5),
        msg(2, '{"type": "presence", "user": "bob"}', 60),
        msg(3, '{"type": "message", "from": "bob", "text": "hi"}', 120),
        msg(4, '{"type": "presence", "user": "dave"}', 125),
        msg(5, '{"type": "presence", "user": "carol"}', 130),
        msg(6, b"\x0a\x0b\x0c", 150),
        msg(7, '{"type": "message", "from": "dave", "text": "yo"}', 180),
    ]


def test_wait_failure_full_text() -> None:
    failure = WaitFailure(
        client="B",
        expectation='receive {"type": "message", "from": "alice", "text": "hi"}',
        waited=0.502,
        messages=seven_messages(),
        expected=EXPECTED,
        close=CloseInfo(4403, "forbidden", "server", True, ORIGIN + 0.031),
        origin=ORIGIN,
        timeout=0.5,
        show_last=3,
    )
    assert render_wait_failure(failure) == "\n".join(
        [
            'client B did not receive {"type": "message", "from": "alice", "text": "hi"}'
            " within 500 ms (waited 502 ms)",
            "closest message: #3 at +120 ms after the last trigger "
            '{"type": "message", "from": "bob", "text": "hi"}',
            '  $.from: expected "alice", got "bob"',
            "last 3 of 7 messages (times after the last trigger):",
            '  #5 +130 ms {"type": "presence", "user": "carol"}',
            "  #6 +150 ms <binary 3 bytes: 0a0b0c>",
            '  #7 +180 ms {"type": "message", "from": "dave", "text": "yo"}',
            'client B was closed by the server with code 4403 "forbidden" at +31 ms '
            "after the last trigger",
        ]
    )


def test_wait_failure_without_expected_json_has_no_closest() -> None:
    failure = WaitFailure(
        "A", "receive a binary message", 2.0, [msg(1, '{"a": 1}', 10)], origin=ORIGIN
    )
    text = render_wait_failure(failure)
    assert text.splitlines() == [
        "client A did not receive a binary message (waited 2.00 s)",
        "1 message received (times after the last trigger):",
        '  #1 +10 ms {"a": 1}',
    ]


def test_wait_failure_with_no_messages() -> None:
    failure = WaitFailure("A", 'receive {"type": "pong"}', 0.2, [], expected={"type": "pong"})
    assert render_wait_failure(failure).splitlines() == [
        'client A did not receive {"type": "pong"} (waited 200 ms)',
        "client A received no messages",
    ]


def test_wait_failure_only_non_json_messages() -> None:
    failure = WaitFailure(
        "A", "receive it", 1.0, [msg(1, "hello there", 40)], expected={"a": 1}, origin=ORIGIN
    )
    lines = render_wait_failure(failure).splitlines()
    assert lines[1] == "closest message: #1 at +40 ms after the last trigger hello there"
    assert lines[2] == "  $: not JSON"


def test_wait_failure_when_a_matching_message_is_listed() -> None:
    failure = WaitFailure(
        "A", "receive it", 1.0, [msg(1, '{"a": 1}', 1)], expected={"a": 1}, origin=ORIGIN
    )
    assert "(this message matches the expectation)" in render_wait_failure(failure)


def test_wait_failure_truncates_long_messages() -> None:
    long_text = '{"t": "' + "x" * 5000 + '"}'
    failure = WaitFailure(
        "A", "receive it", 1.0, [msg(1, long_text, 1)], expected={"t": "y"}, origin=ORIGIN
    )
    text = render_wait_failure(failure)
    assert len(text) < 1500
    assert "(5009 chars)" in text
    for line in text.splitlines():
        assert len(line) < 600


def test_wait_failure_messages_before_origin_have_negative_offsets() -> None:
    failure = WaitFailure("A", "receive it", 1.0, [msg(1, '{"a": 1}', -20)], origin=ORIGIN)
    assert "  #1 -20 ms" in render_wait_failure(failure)


def test_wait_failure_connection_cut() -> None:
    failure = WaitFailure(
        "A",
        "receive it",
        1.0,
        [],
        close=CloseInfo(1006, "", "network", False, ORIGIN + 2.5),
        origin=ORIGIN,
    )
    assert render_wait_failure(failure).splitlines()[-1] == (
        "client A was cut without a close frame (code 1006) at +2.50 s after the last trigger"
    )


def test_the_time_reference_is_named() -> None:
    failure = WaitFailure(
        "A",
        "receive it",
        1.0,
        [msg(1, '{"a": 1}', 40)],
        expected={"a": 2},
        close=CloseInfo(1000, "", "server", True, ORIGIN + 0.05),
        origin=ORIGIN,
        origin_label="the step started",
    )
    lines = render_wait_failure(failure).splitlines()
    assert lines[1].startswith("closest message: #1 at +40 ms after the step started ")
    assert lines[3] == "1 message received (times after the step started):"
    assert lines[-1].endswith("at +50 ms after the step started")
    assert "trigger" not in "\n".join(lines)


def test_wait_failure_extra_lines_come_last() -> None:
    failure = WaitFailure("A", "receive it", 1.0, [], extra=("hint: check the channel",))
    assert render_wait_failure(failure).splitlines()[-1] == "hint: check the channel"


@pytest.mark.parametrize(
    ("count", "header"),
    [(5, "5 messages received (times after the last trigger):"), (6, "last 5 of 6")],
)
def test_wait_failure_message_list_header(count: int, header: str) -> None:
    messages = [msg(i, f'{{"n": {i}}}', i) for i in range(1, count + 1)]
    text = render_wait_failure(WaitFailure("A", "receive it", 1.0, messages, origin=ORIGIN))
    assert header in text
    assert f"#{count} " in text
    assert ("#1 " in text) == (count <= 5)


def test_multi_line_messages_are_shown_on_one_line() -> None:
    pretty = '{\n  "type": "message",\n  "from": "bob"\n}'
    messages = [msg(1, pretty, 10), msg(2, "line one\nline two", 20)]
    failure = WaitFailure(
        "B", "receive it", 1.0, messages, expected={"from": "alice"}, origin=ORIGIN
    )
    lines = render_wait_failure(failure).splitlines()
    assert lines[1] == (
        'closest message: #1 at +10 ms after the last trigger {"type": "message", "from": "bob"}'
    )
    assert lines[-1] == "  #2 +20 ms line one\\nline two"
    assert len(lines) == 6
