"""What a named client does on its own: send frames, ping, idle, stop and resume reading.

A send is a *trigger*: "within T" of later receive steps is measured from it.
"""

from __future__ import annotations

from wsbdd.core.exceptions import UsageError
from wsbdd.core.matching import render_json
from wsbdd.runtime import Clients
from wsbdd.session.arguments import Arguments
from wsbdd.session.binary import hex_frame
from wsbdd.session.timing import ScenarioTiming

__all__ = ["ClientActions"]


class ClientActions:
    """Sending, protocol pings, idling and reading of the scenario's named clients."""

    def __init__(self, clients: Clients, args: Arguments, timing: ScenarioTiming) -> None:
        self._clients = clients
        self._args = args
        self._timing = timing

    def send_json(self, name: str, text: str) -> float:
        """One JSON value, sent in the client's codec (JSON text unless chosen otherwise)."""
        return self._clients.send_value(name, self._args.json(text))

    def send_text(self, name: str, text: str) -> float:
        """A text frame (``${variables}`` substituted)."""
        return self._clients.send_text(name, self._args.text(text))

    def hex_bytes(self, hex_text: str) -> bytes:
        """The bytes written as hexadecimal in a step (``${variables}`` substituted)."""
        return hex_frame(self._args.text(hex_text)).data

    def send_binary_hex(self, name: str, hex_text: str) -> float:
        """A binary frame of the bytes written as hexadecimal."""
        return self._clients.send_binary(name, self.hex_bytes(hex_text))

    def send_sized(self, name: str, kind: str, size: int) -> float:
        """A text frame of ``size`` ASCII letters, or a binary frame of ``size`` zero bytes."""
        if kind == "binary":
            return self._clients.send_binary(name, bytes(size))
        return self._clients.send_text(name, "x" * size)

    def send_many(self, name: str, count: int, template: str, rate: float | None) -> None:
        """Send ``count`` messages from a template with ``${i}`` = 1..count, optionally paced."""
        if count < 1:
            raise UsageError("the number of messages must be at least 1")
        if rate is not None and rate <= 0:
            raise UsageError("the rate must be above 0 per second")
        variables = self._args.variables
        values = [render_json(template, variables.with_counter(i)) for i in range(1, count + 1)]
        self._clients.send_many_values(name, values, rate)

    def send_protocol_ping(self, name: str) -> float:
        """A protocol ping frame."""
        return self._clients.send_ping(name)

    def answer_pings(self, name: str, answer: bool) -> None:
        """Whether the client answers the server's protocol pings from now on."""
        self._clients.set_answer_pings(name, answer)

    def stop_reading(self, name: str) -> None:
        """The client stops consuming frames (the server's buffers for it fill up)."""
        self._clients.stop_reading(name)

    def resume_reading(self, name: str) -> None:
        """The client consumes frames again."""
        self._clients.resume_reading(name)

    def idle(self, name: str, duration: float) -> None:
        """Let ``duration`` (scaled) pass without sending; the client keeps reading."""
        self._clients.view(name)  # raises UnknownClient
        self._clients.wait(name, lambda client: None, self._timing.scaled(duration))
