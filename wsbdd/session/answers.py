"""Waiting for the answer to a request a client sent: its ack, a refusal, or a close."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsbdd.core.deadlines import Deadline
from wsbdd.core.matching import matches
from wsbdd.core.records import Message
from wsbdd.runtime import Client, Clients
from wsbdd.session.receiving import Unseen

__all__ = ["await_answer"]


def await_answer(
    clients: Clients, name: str, ack: Any, rejects: Sequence[Any], deadline: Deadline
) -> tuple[str, Message | None] | None:
    """Wait for the answer to a request: ``("ack" | "reject", message)``, ``("closed", None)``.

    The first unconsumed JSON message matching ``ack`` (None: no ack;
    checked first) or any of ``rejects`` is consumed; a close ends the
    wait too. None when the deadline passed first.
    """
    unseen = Unseen()
    answers = [("ack", ack)] if ack is not None else []
    answers += [("reject", reject) for reject in rejects]

    def probe(client: Client) -> tuple[str, Message | None] | None:
        for message in unseen(client):
            if not message.is_json or message.index < client.first_index:
                continue  # an answer comes on the connection the request went on
            for kind, expected in answers:
                if matches(expected, message.payload):
                    client.consume(message)
                    return (kind, message)
        if client.close_info is not None:
            return ("closed", None)
        return None

    return clients.wait(name, probe, deadline.remaining(), until=deadline.until)
