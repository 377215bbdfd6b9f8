"""The loop-side adapter: it feeds the machines on the loop thread and consumes there only.

A stub stands in for the runtime: its ``wait`` runs each probe on a thread of
its own (the "loop"), once per change it is told about, and it has no ``get``,
so the adapter cannot reach a client from the calling thread at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import pytest
from expectation_records import TRIGGER, cut, msg, within

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.records import CloseInfo, Message, now
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import Clients
from wsbdd.session.receiving import Deadline, Receiver


class StubClient:
    """The parts of a runtime Client the adapter uses; records the thread of each consume."""

    def __init__(self, name: str, inbox: list[Message], close: CloseInfo | None = None) -> None:
        self.name = name
        self.inbox = inbox
        self.close_info = close
        self.reading = True
        self.pings: list[float] = []
        self.pongs: list[float] = []
        self.consumed_on: list[str] = []

    def consume(self, message: Message) -> None:
        self.consumed_on.append(threading.current_thread().name)
        self.inbox.remove(message)


class StubClients:
    """``wait`` runs the probe on the "loop" thread: once, then after each queued change."""

    def __init__(self, client: StubClient, changes: list[Callable[[StubClient], None]]) -> None:
        self.client = client
        self.changes = changes
        self.loop = ThreadPoolExecutor(1, thread_name_prefix="loop")

    def wait(
        self, name: str, probe: Callable[[Any], Any], timeout: float, until: Any = None
    ) -> Any:
        assert name == self.client.name

        def run() -> Any:
            found = probe(self.client)
            while found is None and self.changes:
                self.changes.pop(0)(self.client)
                found = probe(self.client)
            return found

        return self.loop.submit(run).result(timeout=10)


def receiver(client: StubClient, *changes: Callable[[StubClient], None]) -> Receiver:
    clients = cast(Clients, StubClients(client, list(changes)))
    return Receiver(clients, Redactor(["s3cret"]))


def test_a_next_message_is_consumed_on_the_loop_thread() -> None:
    client = StubClient("A", [msg(1, {"type": "b"})])
    with pytest.raises(ExpectationFailed, match="next message does not match"):
        receiver(client).next_message("A", {"type": "a"}, within())
    assert client.inbox == []
    assert client.consumed_on and all(t.startswith("loop") for t in client.consumed_on)


def test_several_messages_are_consumed_on_the_loop_and_the_last_is_remembered() -> None:
    one, other, two = msg(1, {"n": 1}), msg(2, {"x": 0}), msg(3, {"n": 2})
    client = StubClient("A", [one, other])
    r = receiver(client, lambda c: c.inbox.append(two))
    r.receive_in_order("A", [{"n": 1}, {"n": 2}], Deadline.default(5.0))
    assert client.inbox == [other]
    assert all(t.startswith("loop") for t in client.consumed_on)
    assert r.last_matched["A"] is two


def test_a_wait_that_times_out_reads_the_inbox_on_the_loop_and_redacts() -> None:
    client = StubClient("A", [msg(1, {"token": "s3cret"})])
    with pytest.raises(ExpectationFailed) as failed:
        receiver(client).receive("A", {"type": "pong"}, Deadline(now(), now(), None))
    text = str(failed.value)
    assert text.startswith('client A did not receive {"type": "pong"}')
    assert "s3cret" not in text and '"token": "***"' in text
    assert client.consumed_on == []


def test_a_drained_closed_client_fails_at_once_and_shows_its_close() -> None:
    client = StubClient("A", [], close=cut())
    started = now()
    with pytest.raises(ExpectationFailed, match=r"cut without a close frame \(code 1006\)"):
        receiver(client).receive("A", {"type": "pong"}, Deadline.default(30.0))
    assert now() - started < 5.0  # the stub's loop never reaches a 30 s deadline


def test_a_close_behind_unread_data_does_not_end_a_wait() -> None:
    client = StubClient("A", [], close=cut())
    client.reading = False
    late_match = msg(1, {"type": "pong"}, at=TRIGGER)
    found = receiver(client, lambda c: c.inbox.append(late_match)).receive(
        "A", {"type": "pong"}, Deadline.default(5.0)
    )
    assert found is late_match


def test_protocol_pings_are_counted_per_connection() -> None:
    client = StubClient("A", [])
    client.pings = [1.0, 2.0]
    r = receiver(client)
    assert r.protocol_ping("A", Deadline.default(5.0)) == 1.0
    assert r.protocol_ping("A", Deadline.default(5.0)) == 2.0
    with pytest.raises(ExpectationFailed, match=r"\(2 pings in all; client still open\)"):
        r.protocol_ping("A", Deadline(now(), now(), None))


def test_the_public_failure_reads_the_client_on_the_loop() -> None:
    client = StubClient("A", [msg(1, {"type": "x"})], close=cut())
    failure = receiver(client).failure("A", "be authenticated", Deadline.default(1.0), {"ok": 1})
    assert str(failure).startswith("client A did not be authenticated within")
    assert "cut without a close frame" in str(failure)


def test_waited_is_how_long_the_wait_lasted_not_the_trip_to_a_busy_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [TRIGGER]
    monkeypatch.setattr("wsbdd.session.receiving.now", lambda: clock[0])
    client = StubClient("A", [msg(1, {"type": "flood"})])
    stub = StubClients(client, [])
    plain_wait = stub.wait

    def slow_loop(name: str, probe: Callable[[Any], Any], timeout: float, until: Any = None) -> Any:
        if until is None:  # the trip that feeds the deadline: the loop is busy for 5 s
            clock[0] += 5.0
        return plain_wait(name, probe, timeout, until)

    stub.wait = slow_loop  # type: ignore[method-assign]
    r = Receiver(cast(Clients, stub), Redactor())
    with pytest.raises(ExpectationFailed) as failed:
        r.receive("A", {"type": "done"}, Deadline(TRIGGER - 1.0, TRIGGER, None))
    assert "(waited 1.00 s)" in str(failed.value), str(failed.value)
