"""Receive, next and next-where, fed synthetic messages: their verdicts and texts."""

from __future__ import annotations

from collections.abc import Sequence

from expectation_records import TRIGGER, cut, msg, view, within

from wsbdd.core.expectations import (
    PENDING,
    Failed,
    Next,
    NextWhere,
    Receive,
    Satisfied,
)
from wsbdd.core.records import Message


def test_receive_is_pending_until_a_match_then_consumes_only_it() -> None:
    machine = Receive.json("A", {"type": "pong"}, within())
    assert machine.on_messages([msg(1, {"type": "hello"})]) is PENDING
    match = msg(2, {"type": "pong", "n": 1})
    verdict = machine.on_messages([msg(3, "plain text"), match, msg(4, {"type": "pong"})])
    assert verdict == Satisfied(match, (match,))


def test_receive_of_a_late_match_consumes_it_and_fails_too_late() -> None:
    late = msg(1, {"type": "pong"}, at=TRIGGER + 0.7)
    verdict = Receive.json("A", {"type": "pong"}, within(0.5)).on_messages([late])
    assert isinstance(verdict, Failed)
    assert verdict.consumed == (late,)
    assert verdict.failure.text == (
        'client A received {"type": "pong"} too late: it arrived 700 ms after the last '
        'trigger (limit 500 ms)\n  message #1: {"type": "pong"}'
    )
    assert verdict.failure.closest is late


def test_receive_at_its_deadline_shows_the_closest_message_and_its_diff() -> None:
    machine = Receive.json("B", {"from": "alice"}, within())
    near = msg(3, {"from": "bob"})
    verdict = machine.on_deadline(view([near], at=TRIGGER + 0.502))
    assert isinstance(verdict, Failed)
    assert verdict.consumed == ()
    text = verdict.failure.text
    assert text.startswith(
        'client B did not receive {"from": "alice"} within 500 ms of the last trigger'
    )
    assert "(waited 502 ms)" in text
    assert '$.from: expected "alice", got "bob"' in text
    assert verdict.failure.closest is near
    assert verdict.failure.client == "B"


def test_receive_gives_up_on_a_drained_close_but_not_while_data_is_unread() -> None:
    machine = Receive.json("A", {"type": "pong"}, within())
    closed = view([], close=cut())
    assert machine.on_closed(closed, drained=False) is PENDING
    verdict = machine.on_closed(closed, drained=True)
    assert isinstance(verdict, Failed)
    assert "was cut without a close frame (code 1006)" in verdict.failure.text


def test_receive_where_adds_the_explanation_lines() -> None:
    def explain(inbox: Sequence[Message]) -> list[str]:
        return [f"{len(inbox)} text messages, none binary"]

    machine = Receive(
        "A", lambda m: m.kind == "binary", "a binary message", within(), explain=explain
    )
    verdict = machine.on_deadline(view([msg(1, "x"), msg(2, "y")]))
    assert isinstance(verdict, Failed)
    assert "did not receive a binary message within 500 ms" in verdict.failure.text
    assert "2 text messages, none binary" in verdict.failure.text


def test_next_is_decided_by_the_first_message_fed() -> None:
    first = msg(1, {"type": "a"})
    assert Next("A", {"type": "a"}, within()).on_messages([]) is PENDING
    verdict = Next("A", {"type": "a"}, within()).on_messages([first, msg(2, {"type": "b"})])
    assert verdict == Satisfied(first, (first,))


def test_next_that_does_not_match_is_consumed_and_fails_with_its_diff() -> None:
    first = msg(4, {"type": "b"})
    verdict = Next("A", {"type": "a"}, within()).on_messages([first])
    assert isinstance(verdict, Failed)
    assert verdict.consumed == (first,)
    assert verdict.failure.text.startswith(
        "client A's next message does not match\n"
        '  expected: {"type": "a"}\n'
        '  received: #4 {"type": "b"}\n'
    )
    assert verdict.failure.diff  # the mismatches travel with the failure


def test_next_that_is_not_json_says_so() -> None:
    verdict = Next("A", {"type": "a"}, within()).on_messages([msg(1, "hello")])
    assert isinstance(verdict, Failed)
    assert verdict.failure.text == (
        'client A\'s next message is not JSON: hello\n  expected: {"type": "a"}'
    )


def test_next_at_its_deadline_names_what_was_awaited() -> None:
    verdict = Next("A", {"type": "a"}, within()).on_deadline(view([]))
    assert isinstance(verdict, Failed)
    assert verdict.failure.text.startswith(
        'client A did not receive a next message like {"type": "a"} within 500 ms'
    )


def test_next_where_reports_the_problem_of_the_next_message() -> None:
    def problem(m: Message) -> str | None:
        return None if m.kind == "binary" else "it is a text frame"

    machine = NextWhere("A", problem, "a binary message", within())
    text_frame = msg(1, "hi")
    verdict = machine.on_messages([text_frame])
    assert isinstance(verdict, Failed)
    assert verdict.consumed == (text_frame,)
    assert verdict.failure.text == (
        "client A's next message is not a binary message\n  received: #1 hi\n  it is a text frame"
    )
    binary = Message.parse("A", 2, b"\x01", TRIGGER + 0.01)
    assert NextWhere("A", problem, "a binary message", within()).on_messages([binary]) == (
        Satisfied(binary, (binary,))
    )
