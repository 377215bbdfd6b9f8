"""A client's history spans its connections: a reconnect keeps what came before."""

from __future__ import annotations

from fixture_servers import ServerThread, echo

from wsbdd.core.records import Message
from wsbdd.core.redaction import Redactor
from wsbdd.reporting.transcript import ClientRecord, client_json, render_client
from wsbdd.runtime import Client, Clients, ConnectRequest


def arrived(count: int) -> object:
    def probe(client: Client) -> list[Message] | None:
        return list(client.received) if len(client.received) >= count else None

    return probe


def test_a_reconnect_keeps_the_messages_and_transcript_of_the_earlier_connection(
    servers: ServerThread, clients: Clients
) -> None:
    srv = servers.websocket(echo)
    assert clients.connect("A", ConnectRequest(srv.url)).opened
    clients.send_text("A", '{"n": 1}')
    clients.send_text("A", '{"n": 2}')
    assert clients.wait("A", arrived(2), 3.0)  # type: ignore[arg-type]
    first = clients.get("A")
    first.consume(first.inbox[0])  # a step matched {"n": 1}
    clients.drop("A")
    assert clients.connect("A", ConnectRequest(srv.url)).opened
    clients.send_text("A", '{"n": 3}')
    found = clients.wait("A", arrived(3), 3.0)  # type: ignore[arg-type]
    assert found is not None
    client = clients.get("A")
    assert client is not first and client.is_open
    # Numbers go on; what no step consumed on the first connection is still there.
    assert [(m.index, m.payload["n"]) for m in client.received] == [(0, 1), (1, 2), (2, 3)]
    assert [m.payload["n"] for m in client.inbox] == [2, 3]
    # Every connection, in order, with how the earlier one ended.
    numbers = [c.number for c in client.connections]
    assert numbers == [1, 2]
    earlier = client.connections[0]
    assert earlier.close is not None and earlier.close.code == 1006
    assert client.connections[1].close is None
    kinds = [e.kind for e in client.transcript]
    assert kinds.count("open") == 2 and "drop" in kinds
    assert kinds.index("drop") < len(kinds) - 1 - kinds[::-1].index("open")

    record = ClientRecord.of(client)
    text = render_client(record, client.connections[0].started_at, Redactor())
    assert "client A  (2 connections)" in text, text
    one, two = text.index("connection 1 of 2"), text.index("connection 2 of 2")
    assert one < text.index('{"n": 1}') < text.index("dropped") < two < text.index('{"n": 3}')
    assert text.count("handshake: open") == 2
    data = client_json(record, 0.0, Redactor())
    assert [c["number"] for c in data["connections"]] == [1, 2]
    assert data["connections"][0]["close"]["code"] == 1006
