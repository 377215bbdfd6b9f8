"""Reconnect analytics without sockets: storms, backoff, jitter and their failure text."""

from __future__ import annotations

import pytest

from wsbdd.core.exceptions import UsageError
from wsbdd.mock.analytics import (
    RESOLUTION,
    Attempt,
    analyse_backoff,
    analyse_jitter,
    analyse_reconnects,
    analyse_spread,
    densest_window,
    histories,
)
from wsbdd.mock.identity import DEFAULT_KEYS, ClientKey, identify

DROP = 100.0


def _connected(client: str) -> Attempt:
    """A connection opened before the drop and ended by it."""
    return Attempt(client, 10.0, True, DROP)


def _retries(client: str, *delays: float, last_accepted: bool = True) -> list[Attempt]:
    """Attempts after the drop, each ``delay`` after the previous one ended (refusals)."""
    found, end = [], DROP
    for i, delay in enumerate(delays):
        at = end + delay
        accepted = last_accepted and i == len(delays) - 1
        found.append(Attempt(client, at, accepted, None if accepted else at))
        end = at
    return found


def test_delay_is_time_since_the_previous_end_or_refusal() -> None:
    clients = histories([_connected("a"), *_retries("a", 0.5, 1.0, 2.0)])
    assert clients["a"].delays(DROP) == pytest.approx([0.5, 1.0, 2.0])


def test_delays_under_the_resolution_count_as_the_resolution() -> None:
    clients = histories([_connected("a"), *_retries("a", 0.001, 0.002)])
    assert clients["a"].delays(DROP) == [RESOLUTION, RESOLUTION]


def test_every_client_reconnects_and_the_late_or_missing_are_named() -> None:
    attempts = [
        _connected("a"),
        *_retries("a", 0.2),
        _connected("b"),
        *_retries("b", 5.0),
        _connected("c"),
        *_retries("c", 0.1, 0.2, last_accepted=False),
    ]
    report = analyse_reconnects(histories(attempts), DROP, within=1.0)
    assert report.back == pytest.approx({"a": 0.2, "b": 5.0})
    assert report.missing == {"c": 2}
    failure = report.failure()
    assert failure is not None
    assert failure.startswith("1 of 3 clients reconnected within 1.00 s of the disruption")
    assert "c (2 refused attempts)" in failure and "b at +5.00 s" in failure
    ok = analyse_reconnects(histories([_connected("a"), *_retries("a", 0.2)]), DROP, 1.0)
    assert ok.failure() is None


def test_a_storm_fails_with_how_many_came_back_in_the_same_window() -> None:
    attempts = [_connected(f"c{i}") for i in range(50)]
    for i in range(50):
        attempts += _retries(f"c{i}", 0.001 * i if i < 47 else 1.0 + i / 100)
    report = analyse_spread(histories(attempts), DROP, minimum=2.0)
    failure = report.failure()
    assert failure is not None
    assert "47 of 50 clients reconnected within the same 200 ms" in failure, failure
    assert "spread over 1.49 s, expected at least 2.00 s" in failure


def test_a_spread_reconnect_passes_the_storm_check() -> None:
    attempts = [_connected(f"c{i}") for i in range(10)]
    for i in range(10):
        attempts += _retries(f"c{i}", 0.3 * i)
    assert analyse_spread(histories(attempts), DROP, minimum=2.0).failure() is None


def test_backoff_is_the_median_ratio_per_client() -> None:
    good = [_connected("a"), *_retries("a", 0.3, 0.1, 0.5, 1.0, 2.0)]  # ratios .33 5 2 2
    flat = [_connected("b"), *_retries("b", 0.5, 0.5, 0.5)]
    one = [_connected("c"), *_retries("c", 0.5)]
    report = analyse_backoff(histories([*good, *flat, *one]), DROP, factor=1.5)
    assert report.ratio("a") == pytest.approx(2.0)
    assert report.ratio("b") == pytest.approx(1.0)
    assert report.ratio("c") is None
    failure = report.failure()
    assert failure is not None
    assert failure.startswith("the reconnect delays of 2 of 3 clients do not grow 1.5 times")
    assert "b: delays 500 ms, 500 ms, 500 ms (median ratio 1.00)" in failure
    assert "c: delays 500 ms (fewer than 2 delays" in failure
    assert "a:" not in failure


def test_backoff_leaves_out_the_random_first_delay() -> None:
    # A websockets backoff() client seen in CI: its random start and its random
    # first backoff delay were both near 500 ms, then 0.5 s doubling (+7 ms late).
    seen = [_connected("c2"), *_retries("c2", 0.5, 0.5, 0.507, 1.0, 2.0)]
    report = analyse_backoff(histories(seen), DROP, factor=1.5)
    assert report.ratio("c2") == pytest.approx(1.97, abs=0.01)
    assert report.failure() is None
    two = [_connected("d"), *_retries("d", 0.5, 0.25)]  # only two delays: both count
    assert analyse_backoff(histories(two), DROP, factor=1.5).ratio("d") == pytest.approx(0.5)


def test_jitter_is_stdev_over_mean_of_first_delays() -> None:
    same = [a for i in range(5) for a in (_connected(f"c{i}"), *_retries(f"c{i}", 0.002))]
    report = analyse_jitter(histories(same), DROP, minimum=0.2)
    assert report.variation == 0.0
    failure = report.failure()
    assert failure is not None and "vary by 0% between clients, expected at least 20%" in failure
    spread = [a for i in range(4) for a in (_connected(f"c{i}"), *_retries(f"c{i}", 0.1 * (i + 1)))]
    varied = analyse_jitter(histories(spread), DROP, minimum=0.2)
    assert varied.variation == pytest.approx(0.447, abs=0.001)
    assert varied.failure() is None


def test_clients_that_joined_after_the_drop_are_not_judged() -> None:
    late_joiner = Attempt("new", DROP + 1, True, None)
    report = analyse_reconnects(
        histories([_connected("a"), *_retries("a", 0.2), late_joiner]), DROP, 1.0
    )
    assert set(report.back) == {"a"}


def test_an_app_started_during_a_refusal_is_judged_on_its_attempts_since() -> None:
    first = Attempt("a", DROP + 0.1, False, DROP + 0.1)
    retries = [
        Attempt("a", DROP + 0.1 + d, d == 0.7, None if d == 0.7 else DROP + 0.1 + d)
        for d in (0.1, 0.3, 0.7)
    ]
    clients = histories([first, *retries])
    assert analyse_reconnects(clients, DROP, 1.0).failure() is None
    backoff = analyse_backoff(clients, DROP, 1.5)
    assert backoff.delays["a"] == pytest.approx([0.1, 0.2, 0.4])
    assert backoff.failure() is None


def test_no_client_at_all_is_a_failure_that_says_so() -> None:
    report = analyse_reconnects(histories([]), DROP, 1.0)
    assert report.failure() == "no client was connected to the mock server before the disruption"


def test_densest_window() -> None:
    assert densest_window([0.0, 0.05, 0.1, 0.5, 0.52], 0.1) == (3, 0.0, 0.1)


def test_identity_by_default_query_then_header_then_field() -> None:
    assert identify(DEFAULT_KEYS, [("client", "q")], [("X-Client-Id", "h")], {"client": "f"}) == "q"
    assert identify(DEFAULT_KEYS, [], [("x-client-id", "h")], {"client": "f"}) == "h"
    assert identify(DEFAULT_KEYS, [], [], {"client": 7}) == "7"
    assert identify(DEFAULT_KEYS, [], [], {"type": "hello"}) is None
    device = (ClientKey.parse("header", "X-Device"),)
    assert identify(device, [("client", "q")], [("X-Device", "d")]) == "d"
    assert identify(device, [("client", "q")], []) is None
    with pytest.raises(UsageError, match="the query parameter, the header or the field"):
        ClientKey.parse("cookie", "id")
