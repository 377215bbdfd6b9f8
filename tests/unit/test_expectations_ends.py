"""Closed, stays open, none within and ping/pong arrivals, fed synthetic events."""

from __future__ import annotations

from expectation_records import TRIGGER, cut, msg, server_close, view, within

from wsbdd.core.expectations import (
    PENDING,
    Closed,
    Failed,
    NoneWithin,
    PingArrival,
    PongArrival,
    Satisfied,
    StaysOpen,
)
from wsbdd.core.records import CloseInfo


def test_closed_is_satisfied_by_the_close_wanted() -> None:
    info = server_close(4401, "unauthorized")
    machine = Closed("A", within(), code=4401, by_server=True)
    assert machine.on_messages([msg(1, {"n": 1})]) is PENDING
    assert machine.on_closed(view([], close=info), drained=False) == Satisfied(info)


def test_closed_by_another_close_words_each_fact_once() -> None:
    machine = Closed("A", within(), code=1002)
    verdict = machine.on_closed(view([], close=cut()), drained=True)
    assert isinstance(verdict, Failed)
    assert verdict.failure.text == (
        "client A was expected to be closed with code 1002, "
        "but it was cut without a close frame (code 1006)"
    )


def test_closed_with_a_reason_says_when_none_came() -> None:
    machine = Closed("A", within(), reason="bye")
    verdict = machine.on_closed(view([], close=server_close(1000, "")), drained=True)
    assert isinstance(verdict, Failed)
    assert verdict.failure.text == (
        'client A was expected to be closed and reason "bye", '
        "but it was closed by the server with code 1000 and no reason"
    )


def test_closed_by_the_server_refuses_a_close_the_client_started() -> None:
    info = CloseInfo(1000, "", "client", True, TRIGGER)
    verdict = Closed("A", within(), by_server=True).on_closed(view([], close=info), True)
    assert isinstance(verdict, Failed)
    assert "but it was closed by the client with code 1000" in verdict.failure.text


def test_closed_without_a_frame_wants_a_cut() -> None:
    machine = Closed("A", within(), without_close_frame=True)
    assert isinstance(machine.on_closed(view([], close=cut()), True), Satisfied)
    verdict = machine.on_closed(view([], close=server_close()), True)
    assert isinstance(verdict, Failed)
    assert "expected to be closed without a close frame" in verdict.failure.text


def test_closed_at_its_deadline_says_still_open() -> None:
    verdict = Closed("A", within(), code=4401).on_deadline(view([]))
    assert isinstance(verdict, Failed)
    assert verdict.failure.text.startswith(
        "client A did not get closed with code 4401 within 500 ms of the last trigger"
    )
    assert "client A is still open" in verdict.failure.text


def test_stays_open_fails_on_any_close_with_when_it_came() -> None:
    machine = StaysOpen("A", 1.0, start=TRIGGER)
    verdict = machine.on_closed(view([], close=server_close(at=TRIGGER + 0.25)), drained=False)
    assert isinstance(verdict, Failed)
    assert verdict.failure.text == (
        "client A was expected to stay open for 1.00 s, but after 250 ms it was "
        'closed by the server with code 4401 "unauthorized"'
    )
    assert StaysOpen("A", 1.0, start=TRIGGER).on_deadline(view([])) == Satisfied(None)


def test_none_within_fails_on_the_first_matching_message_only() -> None:
    machine = NoneWithin("A", {"t": "x"}, 0.5, start=TRIGGER)
    assert machine.on_messages([msg(1, {"t": "y"}), msg(2, "text")]) is PENDING
    assert machine.on_closed(view([], close=cut()), drained=True) is PENDING
    verdict = machine.on_messages([msg(3, {"t": "x"}, at=TRIGGER + 0.2)])
    assert isinstance(verdict, Failed)
    assert verdict.consumed == ()
    assert verdict.failure.text == (
        'client A expected no message matching {"t": "x"} for 500 ms, but received #3 '
        'at +200 ms after the step started: {"t": "x"}'
    )


def test_none_within_without_a_value_refuses_any_message_and_passes_when_quiet() -> None:
    verdict = NoneWithin("A", None, 0.5, start=TRIGGER).on_messages([msg(1, "hi")])
    assert isinstance(verdict, Failed)
    assert verdict.failure.text.startswith("client A expected no message for 500 ms")
    assert NoneWithin("A", None, 0.5, start=TRIGGER).on_deadline(view([])) == Satisfied(None)


def test_ping_arrival_takes_the_first_ping_not_matched_before() -> None:
    machine = PingArrival("A", within())
    assert machine.on_pings([TRIGGER + 0.1], matched=1) is PENDING
    assert machine.on_pings([TRIGGER + 0.1, TRIGGER + 0.2], matched=1) == Satisfied(TRIGGER + 0.2)


def test_ping_arrival_at_its_deadline_counts_pings_and_shows_the_close() -> None:
    machine = PingArrival("A", within())
    verdict = machine.on_closed(view([], close=cut(), pings=(TRIGGER,)), drained=True)
    assert isinstance(verdict, Failed)
    assert verdict.failure.text == (
        "client A received no protocol ping within 500 ms of the last trigger "
        "(1 pings in all; client cut without a close frame (code 1006))"
    )


def test_pong_arrival_ignores_pongs_before_the_ping_and_checks_the_limit() -> None:
    sent = TRIGGER + 0.1
    machine = PongArrival("A", sent, within(0.5))
    assert machine.on_pongs([TRIGGER + 0.05]) is PENDING
    assert machine.on_pongs([TRIGGER + 0.05, TRIGGER + 0.3]) == Satisfied(TRIGGER + 0.3)
    verdict = PongArrival("A", sent, within(0.5)).on_pongs([TRIGGER + 0.8])
    assert isinstance(verdict, Failed)
    assert verdict.failure.text == (
        "client A's protocol pong arrived 700 ms after the ping (limit 500 ms)"
    )


def test_pong_arrival_at_its_deadline_says_when_the_ping_went() -> None:
    verdict = PongArrival("A", TRIGGER, within()).on_deadline(view([], at=TRIGGER + 0.6))
    assert isinstance(verdict, Failed)
    assert verdict.failure.text == (
        "client A received no protocol pong within 500 ms of the last trigger "
        "(ping sent 600 ms ago)"
    )
