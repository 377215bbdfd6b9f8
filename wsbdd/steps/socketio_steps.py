"""Steps: Socket.IO emits and their acks (connect with ``connects to "/ns" over Socket.IO``).

``emits "x" with {…}`` sends the event with one JSON argument (none without
"with"). With ``and the ack is {…} within T`` it asks for an acknowledgement,
which must arrive within T of the emit (the default timeout without
"within") and match the JSON partially, like a received message; the ack is
in the transcript, never in the inbox. The emit is the trigger of the next
"within" clauses. ``the Socket.IO reference app is running`` starts the
bundled app once per run; Socket.IO connections go to it unless
``WSBDD_SOCKETIO_URL`` names another server (docs/socketio.md).
"""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.session.transport_choice import use_reference_app
from wsbdd.steps._common import CLIENT, DURATION, optional_duration, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


@step(r"the Socket\.IO reference app is running")
def reference_app_running(context: Any) -> None:
    """Starts wsbdd's bundled Socket.IO chat (once per run) and connects Socket.IO clients to it."""
    session(context)  # wsbdd must be set up
    use_reference_app()


@step(
    rf'client {CLIENT} emits "(?P<event>[^"]+)"(?: with (?P<payload>.+?))?'
    rf"(?: and the ack is (?P<ack>.+?)(?: within (?P<within>{DURATION}))?)?"
)
def client_emits(
    context: Any,
    name: str,
    event: str,
    payload: str | None,
    ack: str | None,
    within: str | None,
) -> None:
    """Emits a Socket.IO event with one JSON argument; "and the ack is {…}" checks its ack."""
    s = session(context)
    ops = s.socketio
    event = s.text(event)
    value = s.json(payload) if payload is not None else None
    if ack is None:
        ops.emit(name, event, value)
        return
    ops.emit_expecting_ack(name, event, value, s.json(ack), optional_duration(within))


use_step_matcher("parse")
