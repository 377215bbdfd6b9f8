"""Per-scenario state and the operations behind every step phrase.

A :class:`ScenarioSession` is created before each scenario (``context.wsbdd``)
and closed after it: every client is closed and every task is gone, whatever
failed. Steps make one call each into it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from wsbdd.core.exceptions import ConfigError, ExpectationFailed, ProfileError, UsageError
from wsbdd.core.matching import (
    PathNotFound,
    Variables,
    render_json,
    render_json_lines,
    select,
    substitute,
)
from wsbdd.core.matching.matchers import match
from wsbdd.core.matching.render import describe_expected, render_mismatches
from wsbdd.core.profiles import Profile
from wsbdd.core.records import Message, now
from wsbdd.core.timing import LatencyStats, format_duration, percentile
from wsbdd.run import RunContext
from wsbdd.runtime import Clients, ClientView
from wsbdd.session.binary import BinaryChecks, hex_frame
from wsbdd.session.channels import ChannelOps
from wsbdd.session.codec_choice import SETTING as CODEC_SETTING
from wsbdd.session.codec_choice import CodecChoice
from wsbdd.session.connections import ConnectionOps, ConnectSpec
from wsbdd.session.contracts import ContractChecks
from wsbdd.session.http import HttpExchange
from wsbdd.session.receiving import Deadline, Receiver
from wsbdd.session.schemas import SchemaChecks
from wsbdd.session.server_control import ServerInspector

if TYPE_CHECKING:
    from wsbdd.mock.ops import MockOps
    from wsbdd.session.crowds import CrowdOps

__all__ = ["ConnectSpec", "ScenarioSession"]


class ScenarioSession:
    """Everything one scenario does, and the hub of its collaborators.

    The session holds the scenario's variables, tokens, timeouts and API
    profile, sends frames and checks received ones; ``connections``,
    ``channels``, ``crowds``, ``http``, ``schemas`` and ``server`` do the rest.
    """

    def __init__(self, run: RunContext) -> None:
        if run.clients is None or run.http is None:
            raise UsageError("the wsbdd run is not started (is environment.py missing its hooks?)")
        self.run = run
        self.settings = run.settings
        self.clients: Clients = run.clients
        self.variables = Variables({}, dict(run.settings.values))
        self.tokens: dict[str, str] = dict(run.settings.tokens)
        self.default_timeout = run.settings.timeout
        self.receiver = Receiver(self.clients, run.redactor)
        self.started_at = now()
        self.profile: Profile | None = None
        if run.settings.profile:
            try:
                self.profile = run.profile(run.settings.profile)
            except ProfileError as exc:
                if exc.file is None:
                    raise ProfileError(
                        str(exc), file=run.settings.source, key="WSBDD_PROFILE"
                    ) from None
                raise
        self.connections = ConnectionOps(self)
        self.channels = ChannelOps(self)
        self.http = HttpExchange(self)
        self.schemas = SchemaChecks(self)
        self.codecs = CodecChoice(
            run.settings.values.get(CODEC_SETTING),
            run.settings.source,
            lambda: self.profile,
            lambda: run.features_dirs,
            self.clients,
        )
        self.binary = BinaryChecks(self.receiver)
        self.contracts = ContractChecks(
            run.contracts, self.clients, self.receiver, lambda: self.profile
        )
        self.server = ServerInspector(run)
        # (sender, receiver, stats, samples in seconds, percentile, limit in seconds) of each
        # latency step, for the report.
        self.latency_reports: list[tuple[str, str, LatencyStats, list[float], float, float]] = []
        self._crowds: CrowdOps | None = None
        self._mock: MockOps | None = None

    def use_profile(self, name: str) -> None:
        """``Given the API profile "NAME"``: a built-in name or a TOML file path."""
        self.profile = self.run.profile(self.text(name))

    # -- environment and variables -----------------------------------------

    def scaled(self, seconds: float) -> float:
        """A wait scaled by ``WSBDD_TIMEOUT_SCALE``."""
        return seconds * self.settings.timeout_scale

    def text(self, value: str) -> str:
        """Substitute ``${variables}`` in a step argument."""
        return substitute(value, self.variables)

    def json(self, text: str) -> Any:
        """Substitute variables, then parse one JSON document."""
        return render_json(text, self.variables)

    def json_lines(self, text: str) -> list[Any]:
        """Substitute variables, then parse several JSON values."""
        values = render_json_lines(text, self.variables)
        if not values:
            raise UsageError("expected at least one JSON value in the doc string")
        return values

    def set_variable(self, name: str, value: Any) -> None:
        self.variables.set(name, value)

    def set_tokens(self, rows: Iterable[Mapping[str, str]]) -> None:
        """``Given the tokens:`` with columns user and token."""
        for row in rows:
            user, token = row.get("user"), row.get("token")
            if not user or token is None:
                raise UsageError('the tokens table needs the columns "user" and "token"')
            self.tokens[user.lower()] = self.text(token)
            self.run.redactor.add(self.tokens[user.lower()])

    def set_default_timeout(self, seconds: float) -> None:
        self.default_timeout = seconds

    def deadline(self, within: float | None) -> Deadline:
        """``within T`` from the last trigger, or the default timeout from now."""
        if within is None:
            return Deadline.default(self.scaled(self.default_timeout))
        return Deadline.within(self.scaled(within), self.clients.last_trigger)

    def close_deadline(self, within: float | None) -> Deadline:
        """Closes and heartbeats: ``within T`` (or the default timeout) from the step's start."""
        return Deadline.default(self.scaled(within if within is not None else self.default_timeout))

    def pong_deadline(self, name: str, within: float | None) -> Deadline:
        """A protocol pong: ``within T`` of the client's last protocol ping."""
        if within is None:
            return Deadline.default(self.scaled(self.default_timeout))
        return Deadline.within(self.scaled(within), self.clients.last_ping_sent(name))

    def token_for(self, identity: str) -> str:
        token = self.tokens.get(identity.lower())
        if token is None:
            raise ConfigError(
                f"no token for identity {identity!r}: set WSBDD_TOKEN_{identity.upper()} "
                f'or add it to a "Given the tokens:" table',
                file=self.settings.source,
                key=f"WSBDD_TOKEN_{identity.upper()}",
            )
        return token

    # -- clients ---------------------------------------------------------------

    def client(self, name: str) -> ClientView:
        """An immutable copy of client ``name`` (taken on the loop thread)."""
        return self.clients.view(name)

    def disconnect_all(self) -> None:
        """``When all clients disconnect``: named clients and crowds alike."""
        self.connections.disconnect_all()
        if self._crowds is not None:
            self._crowds.disconnect_all()

    # -- sending ---------------------------------------------------------------

    def send_json(self, name: str, text: str) -> float:
        """One JSON value, sent in the client's codec (JSON text unless chosen otherwise)."""
        return self.clients.send_value(name, self.json(text))

    def send_text(self, name: str, text: str) -> float:
        return self.clients.send_text(name, self.text(text))

    def hex_bytes(self, hex_text: str) -> bytes:
        """The bytes written as hexadecimal in a step (``${variables}`` substituted)."""
        return hex_frame(self.text(hex_text)).data

    def send_binary_hex(self, name: str, hex_text: str) -> float:
        return self.clients.send_binary(name, self.hex_bytes(hex_text))

    def send_sized(self, name: str, kind: str, size: int) -> float:
        """A text frame of ``size`` ASCII letters, or a binary frame of ``size`` zero bytes."""
        if kind == "binary":
            return self.clients.send_binary(name, bytes(size))
        return self.clients.send_text(name, "x" * size)

    def send_many(self, name: str, count: int, template: str, rate: float | None) -> None:
        """Send ``count`` messages from a template with ``${i}`` = 1..count, optionally paced."""
        if count < 1:
            raise UsageError("the number of messages must be at least 1")
        if rate is not None and rate <= 0:
            raise UsageError("the rate must be above 0 per second")
        values = [
            render_json(template, self.variables.with_counter(i)) for i in range(1, count + 1)
        ]
        self.clients.send_many_values(name, values, rate)

    def send_protocol_ping(self, name: str) -> float:
        return self.clients.send_ping(name)

    # -- receiving -------------------------------------------------------------

    def last_message(self, name: str) -> Message:
        """The message the last receive step matched, else the latest received."""
        matched = self.receiver.last_matched.get(name)
        if matched is not None:
            return matched
        client = self.client(name)
        if not client.received:
            raise ExpectationFailed(f"client {name} has not received any message yet")
        return client.received[-1]

    def assert_last_value(self, name: str, path: str, expected: Any) -> None:
        message = self.last_message(name)
        value = self._select(message, path, name)
        mismatches = match(expected, value)
        if mismatches:
            raise ExpectationFailed(
                f"client {name}'s last message has {path} = {json.dumps(value)}, expected "
                f"{describe_expected(expected)}\n  message #{message.index}: {message.display()}\n"
                + render_mismatches(mismatches)
            )

    def save_from_message(self, name: str, path: str, variable: str) -> Any:
        message = self.last_message(name)
        value = self._select(message, path, name)
        self.variables.set(variable, value)
        return value

    def _select(self, message: Message, path: str, name: str) -> Any:
        if not message.is_json:
            raise ExpectationFailed(
                f"client {name}'s last message is not JSON: {message.display()}"
            )
        try:
            return select(message.payload, path)
        except PathNotFound as exc:
            raise ExpectationFailed(
                f"client {name}'s last message has no {path}: {exc}\n"
                f"  message #{message.index}: {message.display()}"
            ) from None

    def receive_protocol_ping(self, name: str, deadline: Deadline) -> float:
        """The next protocol ping the server sent that no step has matched yet."""
        return self.receiver.protocol_ping(name, deadline)

    def receive_protocol_pong(self, name: str, deadline: Deadline) -> float:
        """The pong answering the client's last protocol ping."""
        sent = self.clients.last_ping_sent(name)
        if sent is None:
            raise UsageError(
                f"client {name} has sent no protocol ping: "
                f'add "client {name} sends a protocol ping"'
            )
        return self.receiver.protocol_pong(name, sent, deadline)

    # -- timing and idling ---------------------------------------------------------

    def assert_latency(self, sender: str, name: str, rank: float, limit: float) -> None:
        """The percentile of delivery latency from ``sender`` to ``name`` is below ``limit``."""
        samples, lost = self.channels.latency(name, sender, self.scaled(self.default_timeout))
        stats = LatencyStats.from_samples(samples, lost=lost)
        if stats.count == 0:
            raise ExpectationFailed(
                f"no message published by client {sender} reached client {name}: {stats.render()}"
            )
        value = percentile(samples, rank) or 0.0
        self.latency_reports.append((sender, name, stats, samples, rank, limit))
        if stats.lost or value >= limit:
            reasons = []
            if value >= limit:
                reasons.append(f"p{rank:g} is {format_duration(value)}")
            if stats.lost:
                reasons.append(f"{stats.lost} messages never arrived")
            raise ExpectationFailed(
                f"delivery latency from client {sender} to client {name}: {', '.join(reasons)}; "
                f"expected p{rank:g} below {format_duration(limit)}\n  {stats.render()}"
            )

    def idle(self, name: str, duration: float) -> None:
        """Let ``duration`` pass without sending (the client keeps reading)."""
        self.client(name)
        self.clients.wait(name, lambda client: None, duration)

    # -- crowds ------------------------------------------------------------------------

    @property
    def crowds(self) -> CrowdOps:
        """Many anonymous clients at once ("Given 1000 clients are connected")."""
        if self._crowds is None:
            from wsbdd.session.crowds import CrowdOps

            self._crowds = CrowdOps(self)
        return self._crowds

    @property
    def mock(self) -> MockOps:
        """The scenario's mock server and app under test ("Given a mock server")."""
        if self._mock is None:
            from wsbdd.mock.ops import MockOps

            self._mock = MockOps(self)
        return self._mock

    @property
    def mock_if_used(self) -> MockOps | None:
        """The mock operations when a step used them, for the report and the teardown."""
        return self._mock

    # -- teardown ----------------------------------------------------------------

    def close(self) -> None:
        """Close every client and crowd of the scenario (bounded) and forget them."""
        try:
            if self._mock is not None:
                self._mock.close()
            if self._crowds is not None:
                self._crowds.close()
        finally:
            self.clients.reset()
            self.connections.forget()
