"""In order, any order and counts, fed synthetic messages: their verdicts and texts."""

from __future__ import annotations

from expectation_records import TRIGGER, msg, view, within

from wsbdd.core.expectations import (
    PENDING,
    AnyOrder,
    Count,
    Failed,
    InOrder,
    InOrderWhere,
    Satisfied,
)
from wsbdd.core.records import Message


def test_in_order_waits_for_each_value_after_the_previous_one() -> None:
    machine = InOrder("A", [{"n": 1}, {"n": 2}], within())
    two_first, one, other = msg(1, {"n": 2}), msg(2, {"n": 1}), msg(3, {"x": 0})
    two = msg(4, {"n": 2})
    assert machine.on_messages([two_first, one, other]) is PENDING  # #1 came before its turn
    assert machine.on_messages([two]) == Satisfied(None, (one, two))


def test_in_order_across_feeds_equals_one_feed() -> None:
    stream = [msg(i, {"n": n}) for i, n in enumerate([3, 1, 2, 1, 3], start=1)]
    whole = InOrder("A", [{"n": 1}, {"n": 3}], within()).on_messages(stream)
    fed = InOrder("A", [{"n": 1}, {"n": 3}], within())
    verdicts = [fed.on_messages([m]) for m in stream]
    assert verdicts[-1] == whole == Satisfied(None, (stream[1], stream[4]))
    assert all(v is PENDING for v in verdicts[:-1])


def test_in_order_with_one_late_message_fails_and_consumes_them_all() -> None:
    one, two = msg(1, {"n": 1}), msg(2, {"n": 2}, at=TRIGGER + 0.9)
    verdict = InOrder("A", [{"n": 1}, {"n": 2}], within(0.5)).on_messages([one, two])
    assert isinstance(verdict, Failed)
    assert verdict.consumed == (one, two)
    assert verdict.failure.text == (
        "client A: 1 of 2 messages arrived too late; the latest arrived 900 ms after the "
        'last trigger (limit 500 ms)\n  message #2: {"n": 2}'
    )


def test_in_order_at_its_deadline_says_the_missing_one_came_too_early() -> None:
    inbox = [msg(1, {"n": 2}), msg(2, {"n": 1})]
    machine = InOrder("A", [{"n": 1}, {"n": 2}], within())
    machine.on_messages(inbox)
    verdict = machine.on_deadline(view(inbox))
    assert isinstance(verdict, Failed)
    text = verdict.failure.text
    assert text.startswith(
        'client A did not receive, in order, 2 messages (next missing: {"n": 2}) within 500 ms'
    )
    assert "matched 1 of 2 in order" in text
    assert "arrived before #2, the match of the value expected before it: out of order" in text
    assert verdict.failure.closest is inbox[0]


def test_in_order_where_uses_predicates_and_explains_the_next_one() -> None:
    def binary(m: Message) -> bool:
        return m.kind == "binary"

    def text(m: Message) -> bool:
        return m.kind == "text"

    machine = InOrderWhere(
        "A",
        [text, binary],
        ["a text message", "a binary message"],
        within(),
        explain=lambda done, inbox: [f"{len(inbox)} unconsumed, {done} done"],
    )
    first = msg(1, "hi")
    assert machine.on_messages([first]) is PENDING
    verdict = machine.on_deadline(view([first]))
    assert isinstance(verdict, Failed)
    assert "(next missing: a binary message)" in verdict.failure.text
    assert "matched 1 of 2 in order" in verdict.failure.text
    assert "1 unconsumed, 1 done" in verdict.failure.text
    frame = Message.parse("A", 2, b"\x00", TRIGGER + 0.02)
    assert machine.on_messages([frame]) == Satisfied([first, frame], (first, frame))


def test_any_order_finds_an_exact_assignment() -> None:
    # A greedy pick would give #1 to the first value and then miss the second.
    both, only_first = msg(1, {"a": 1, "b": 1}), msg(2, {"a": 1})
    machine = AnyOrder("A", [{"a": 1}, {"b": 1}], within())
    assert machine.on_messages([both]) is PENDING
    assert machine.on_messages([only_first]) == Satisfied(None, (only_first, both))


def test_any_order_at_its_deadline_names_every_missing_value() -> None:
    inbox = [msg(1, {"a": 1})]
    machine = AnyOrder("A", [{"a": 1}, {"b": 1}, {"c": 1}], within())
    machine.on_messages(inbox)
    verdict = machine.on_deadline(view(inbox))
    assert isinstance(verdict, Failed)
    assert verdict.failure.text.startswith(
        'client A did not receive, in any order, 3 messages (2 missing: {"b": 1}; {"c": 1})'
    )
    assert verdict.failure.expected == {"b": 1}


def test_empty_expectations_are_satisfied_at_once() -> None:
    assert InOrder("A", [], within()).on_messages([]) == Satisfied(None, ())
    assert AnyOrder("A", [], within()).on_messages([]) == Satisfied(None, ())
    assert Count("A", 0, {"n": 1}, within()).on_messages([]) == Satisfied(None, ())


def test_count_uses_the_first_matches_only() -> None:
    machine = Count("A", 2, {"t": "x"}, within())
    first, second, third = msg(1, {"t": "x"}), msg(3, {"t": "x"}), msg(4, {"t": "x"})
    assert machine.on_messages([first, msg(2, {"t": "y"})]) is PENDING
    assert machine.on_messages([second, third]) == Satisfied(None, (first, second))


def test_count_at_its_deadline_says_how_many_matched() -> None:
    inbox = [msg(1, {"t": "x"}), msg(2, {"t": "y"})]
    machine = Count("A", 3, {"t": "x"}, within())
    machine.on_messages(inbox)
    verdict = machine.on_deadline(view(inbox))
    assert isinstance(verdict, Failed)
    assert verdict.failure.text.startswith(
        'client A did not receive 3 messages matching {"t": "x"} (got 1) within 500 ms'
    )
