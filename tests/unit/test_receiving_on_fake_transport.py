"""The Receiver over real Clients on the fake transport: the adapter end to end, no socket.

The loop thread is started first (its self-pipe is a socket pair), then
``socket.socket`` is patched to raise until the test ends.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import Clients, ConnectRequest
from wsbdd.runtime.transports.fake import FakePeer, FakeServer
from wsbdd.session.receiving import Deadline, Receiver

URL = "ws://fake.test/ws"


class _NoSocket(socket.socket):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("a receiving test on the fake transport opened a socket")


def answer(peer: FakePeer, data: str | bytes) -> None:
    """The fake server: "ping" gets a pong, then a news; "bye" gets a 4401 close."""
    if data == '{"type": "ping"}':
        peer.push('{"type": "pong"}')
        peer.push('{"type": "news", "n": 1}')
    elif data == '{"type": "bye"}':
        peer.close(4401, "unauthorized")


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clients]:
    """Clients whose connections all go to the fake server above."""
    server = FakeServer(welcome=['{"type": "welcome"}'], on_message=answer)
    made = Clients(transports={"websocket": server})
    try:
        with monkeypatch.context() as patch:
            patch.setattr(socket, "socket", _NoSocket)
            assert made.connect("A", ConnectRequest(URL)).opened
            yield made
    finally:
        made.shutdown()


def test_a_receive_consumes_its_match_and_the_next_message_follows(clients: Clients) -> None:
    receiver = Receiver(clients, Redactor())
    clients.send_text("A", '{"type": "ping"}')
    pong = receiver.receive("A", {"type": "pong"}, Deadline.default(2.0))
    assert pong.payload == {"type": "pong"}
    assert receiver.last_matched["A"] is pong
    receiver.next_message("A", {"type": "welcome"}, Deadline.default(2.0))
    receiver.next_message("A", {"type": "news"}, Deadline.default(2.0))
    assert clients.view("A").inbox == ()


def test_in_order_and_counts_over_the_fake_connection(clients: Clients) -> None:
    receiver = Receiver(clients, Redactor())
    clients.send_text("A", '{"type": "ping"}')
    receiver.receive_in_order("A", [{"type": "welcome"}, {"type": "news"}], Deadline.default(2.0))
    receiver.receive_count("A", 1, {"type": "pong"}, Deadline.default(2.0))
    receiver.receive_none("A", None, 0.05)


def test_a_server_close_ends_a_wait_at_once_and_satisfies_closed(clients: Clients) -> None:
    receiver = Receiver(clients, Redactor())
    clients.send_text("A", '{"type": "bye"}')
    info = receiver.closed("A", Deadline.default(2.0), code=4401, by_server=True)
    assert info.reason == "unauthorized"
    with pytest.raises(ExpectationFailed) as failed:
        receiver.receive("A", {"type": "never"}, Deadline.default(30.0))
    text = str(failed.value)
    assert 'closed by the server with code 4401 "unauthorized"' in text
    assert "(waited 30" not in text  # it gave up on the close, not at the deadline
