"""Which contract message a frame is taken for, and what its verdict says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contracts.documents import write_contract
from wsbdd.core.contracts import ContractChecker, ContractCoverage, NonConforming, load_contract
from wsbdd.core.contracts.check import _ORDERS_KEPT
from wsbdd.core.contracts.model import ContractChannel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped() -> ContractChecker:
    return ContractChecker(load_contract(ROOT / "features" / "asyncapi.yaml"))


def test_the_frames_channel_is_looked_at_first_then_every_channel(shipped: ContractChecker) -> None:
    # "subscribed" names room:lobby, whose messages do not fit: the /ws channel's does.
    verdict = shipped.check({"type": "subscribed", "channel": "room:lobby", "seq": 0}, "received")
    assert verdict.conforms and verdict.message is not None
    assert verdict.message.label == "Subscribed (received on ws)"


def test_fixed_fields_decide_what_a_frame_is_taken_for(shipped: ContractChecker) -> None:
    verdict = shipped.check({"type": "presence", "channel": "room:x", "user": "bob"}, "received")
    assert not verdict.conforms
    assert verdict.message is not None and verdict.message.name == "Presence"
    assert "$: 'status' is a required property (required)" in verdict.explain()


def test_a_frame_fitting_nothing_names_the_closest(shipped: ContractChecker) -> None:
    verdict = shipped.check({"type": "dance"}, "sent")
    assert not verdict.conforms and verdict.message is None
    assert verdict.explain().startswith("fits no message sent in the contract; closest: ")


def test_direction_matters(shipped: ContractChecker) -> None:
    ping = {"type": "ping"}
    assert shipped.check(ping, "sent").conforms
    assert not shipped.check(ping, "received").conforms


def test_the_channel_path_comes_from_where_the_profile_puts_it(tmp_path: Path) -> None:
    contract = load_contract(write_contract(tmp_path))
    checker = ContractChecker(contract, ("meta", "topic"))
    assert checker.channel_of({"meta": {"topic": "orders/alice"}}) == "orders/alice"
    assert checker.channel_of({"channel": "orders/alice"}) is None


def test_coverage_counts_what_was_seen_and_lists_what_never_was(shipped: ContractChecker) -> None:
    coverage = ContractCoverage(shipped.contract)
    coverage.record(shipped.check({"type": "pong"}, "received"))
    bad = shipped.check({"type": "dance"}, "sent")
    coverage.record(bad, NonConforming("S", "A", "sent #1 {}", bad.explain()))
    assert coverage.frames == 2 and coverage.nonconforming_count == 1
    assert "Pong (received on ws)" not in coverage.never_seen()
    assert "Welcome (received on ws)" in coverage.never_seen()
    summary = coverage.summary()
    assert "2 frames checked, 1 not conforming" in summary
    assert "not conforming: S: client A sent #1 {}" in summary
    data = coverage.as_json()
    assert data["messages"]["Pong (received on ws)"] == 1 and data["nonconforming"] == 1


def test_a_channel_is_matched_once_however_many_of_its_frames_are_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The end of every scenario checks each frame of each client: which messages
    # a frame may be is decided once per (direction, channel, connection path).
    checker = ContractChecker(load_contract(ROOT / "features" / "asyncapi.yaml"))
    matched: list[str] = []
    real = ContractChannel.matches

    def counting(self: ContractChannel, value: str) -> bool:
        matched.append(value)
        return real(self, value)

    monkeypatch.setattr(ContractChannel, "matches", counting)
    frame = {"type": "message", "channel": "room:general", "from": "bob", "text": "hi"}
    first = checker.check(frame, "received", "/ws")
    once = len(matched)
    verdicts = [checker.check({**frame, "text": f"hi {i}"}, "received", "/ws") for i in range(50)]
    assert once > 0 and len(matched) == once
    assert {v.message for v in verdicts} == {first.message}
    # another channel is another order
    other = checker.check({**frame, "channel": "room:lobby"}, "received", "/ws")
    assert len(matched) > once and other.message == first.message


def test_the_orders_kept_are_bounded_when_every_frame_names_a_new_channel() -> None:
    checker = ContractChecker(load_contract(ROOT / "features" / "asyncapi.yaml"))
    for i in range(_ORDERS_KEPT + 10):
        frame = {"type": "subscribed", "channel": f"room:r{i}", "seq": 0}
        verdict = checker.check(frame, "received")
        assert verdict.conforms, verdict.explain()
    assert 0 < len(checker._ordered) <= _ORDERS_KEPT
