"""A scenario's Socket.IO emits: ``client A emits "x" with {…} [and the ack is {…} within T]``.

An emit is a trigger (``within`` clauses of the next receive steps count from
it) and a line of the client's transcript (direction ``sent``, its event name
in ``meta``). The ack's ``within`` counts from the emit: the ack must have
arrived that long after the EVENT packet was handed to the socket. A client
that is not connected over Socket.IO, or whose connection ended, fails with a
sentence naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.matching import match, render_mismatches
from wsbdd.core.timing import format_duration
from wsbdd.runtime.transport import TransportClosed
from wsbdd.runtime.transports.socketio_payloads import AckResult, json_text

if TYPE_CHECKING:
    from wsbdd.core.redaction import Redactor
    from wsbdd.runtime import Client, ClientManager, Clients
    from wsbdd.runtime.transports.socketio import SocketIoTransport
    from wsbdd.session.timing import ScenarioTiming

T = TypeVar("T")

__all__ = ["SocketIOOps"]

SEND_BOUND = 5.0
"""Seconds an emit may take to reach the socket's buffer before the step gives up."""


class SocketIOOps:
    """Emits of one scenario, on the runtime's clients, timed by the scenario's policy."""

    def __init__(self, clients: Clients, timing: ScenarioTiming, redactor: Redactor) -> None:
        self._clients = clients
        self._timing = timing
        self._redactor = redactor

    def _check(self, name: str, event: str) -> None:
        """Fail at once for a client that is not an open Socket.IO connection."""
        view = self._clients.view(name)  # raises UnknownClient
        if view.request.transport != "socketio":
            raise UsageError(
                f'client {name} cannot emit "{event}": it is not connected over Socket.IO '
                f'(connect it with: client {name} connects to "/namespace" over Socket.IO)'
            )
        if not view.is_open:
            state = view.close_info.describe() if view.close_info else "not open"
            raise ExpectationFailed(
                f'client {name} cannot emit "{event}": its Socket.IO connection was {state}'
            )

    @staticmethod
    def _live(manager: ClientManager, name: str) -> tuple[Client, SocketIoTransport]:
        """The loop's client and its transport (on the loop thread)."""
        # Loaded here, not at import: only a Socket.IO connection needs python-socketio.
        from wsbdd.runtime.transports.socketio import SocketIoTransport

        client = manager.get(name)
        transport = client.transport
        if not isinstance(transport, SocketIoTransport):
            raise UsageError(f"client {name} is not connected over Socket.IO")
        return client, transport

    def emit(self, name: str, event: str, payload: Any) -> float:
        """Emit ``event`` with ``payload`` (its one argument; None: none); the send time."""
        self._check(name, event)

        async def go(manager: ClientManager) -> float:
            client, transport = self._live(manager, name)
            at = await transport.emit(event, payload)
            client.record("text", json_text(payload), direction="sent", at=at, event=event)
            return at

        at = self._run(name, event, go, SEND_BOUND)
        self._clients.mark_trigger(at)
        return at

    def emit_expecting_ack(
        self, name: str, event: str, payload: Any, expected: Any, within: float | None
    ) -> AckResult:
        """Emit asking for an ack that must match ``expected`` (partially) within ``within`` s
        (scaled; None: the default timeout)."""
        self._check(name, event)
        limit = self._timing.scaled(within) if within is not None else self._timing.default_wait()

        async def go(manager: ClientManager) -> AckResult | None:
            client, transport = self._live(manager, name)
            ack = await transport.emit_with_ack(event, payload, limit)
            sent_at = ack.sent_at if ack is not None else None
            client.record("text", json_text(payload), direction="sent", at=sent_at, event=event)
            if ack is not None:
                client.record(
                    "text",
                    json_text(ack.payload),
                    direction="received",
                    at=ack.acked_at,
                    event="ack",
                    ack_of=event,
                )
            return ack

        ack = self._run(name, event, go, limit + SEND_BOUND)
        what = f'client {name} emitted "{event}" with {json_text(payload)}'
        waited = format_duration(limit)
        if ack is None:
            raise ExpectationFailed(
                self._redact(
                    f"{what} and expected the ack {json_text(expected)} within {waited}, "
                    f"but no ack arrived in {waited}"
                )
            )
        self._clients.mark_trigger(ack.sent_at)
        mismatches = match(expected, ack.payload)
        if mismatches:
            took = format_duration(ack.acked_at - ack.sent_at)
            raise ExpectationFailed(
                self._redact(
                    f"{what} and expected the ack {json_text(expected)} within {waited}, "
                    f"but the ack after {took} was {json_text(ack.payload)}:\n"
                    f"{render_mismatches(mismatches)}"
                )
            )
        return ack

    def _run(
        self,
        name: str,
        event: str,
        go: Callable[[ClientManager], Coroutine[Any, Any, T]],
        bound: float,
    ) -> T:
        """Run ``go`` on the loop; a connection that ended meanwhile fails naming how."""
        try:
            return self._clients.run(go, bound)
        except TransportClosed:
            view = self._clients.view(name)
            state = view.close_info.describe() if view.close_info else "not open"
            raise ExpectationFailed(
                f'client {name} cannot emit "{event}": its Socket.IO connection was {state}'
            ) from None

    def _redact(self, text: str) -> str:
        return self._redactor.text(text)
