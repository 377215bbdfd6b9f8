"""Per-scenario state and the operations behind every step phrase.

A :class:`ScenarioSession` is created before each scenario (``context.wsbdd``)
and closed after it: every client is closed and every task is gone, whatever
failed. Steps make one call each into it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from wsbdd.channels import ChannelOps
from wsbdd.client import Client, Clients, ConnectRequest
from wsbdd.exceptions import ConfigError, ExpectationFailed, ProfileError, UsageError
from wsbdd.expect import Deadline, Receiver
from wsbdd.http import HttpResponse
from wsbdd.matching import (
    PathNotFound,
    Variables,
    render_json,
    render_json_lines,
    select,
    substitute,
)
from wsbdd.matching.matchers import match
from wsbdd.matching.render import describe_expected, render_mismatches
from wsbdd.model import ConnectOutcome, ConnectResult, Message, now
from wsbdd.profiles import AuthSpec, Profile
from wsbdd.run import RunContext
from wsbdd.server_control import ServerInspector
from wsbdd.timing import LatencyStats, format_duration, percentile

if TYPE_CHECKING:
    from wsbdd.crowd import CrowdOps

__all__ = ["ConnectSpec", "ScenarioSession"]


@dataclass(slots=True)
class ConnectSpec:
    """The clauses of a connect step, before variables and tokens are resolved."""

    target: str | None = None
    identity: str | None = None
    token: str | None = None
    no_token: bool = False
    subprotocols: tuple[str, ...] = ()
    origin: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class _ClientMemory:
    """What a scenario remembers about a client beyond its connection."""

    spec: ConnectSpec
    request: ConnectRequest
    identity: str | None = None
    token: str | None = None
    pings_seen: int = 0


class ScenarioSession:
    """Everything one scenario does: connections, sends, waits, HTTP, variables."""

    def __init__(self, run: RunContext) -> None:
        if run.clients is None or run.http is None:
            raise UsageError("the wsbdd run is not started (is environment.py missing its hooks?)")
        self.run = run
        self.settings = run.settings
        self.clients: Clients = run.clients
        self.variables = Variables({}, dict(run.settings.values))
        self.tokens: dict[str, str] = dict(run.settings.tokens)
        self.default_timeout = run.settings.timeout
        self.response: HttpResponse | None = None
        self.receiver = Receiver(self.clients, run.redactor)
        self._memory: dict[str, _ClientMemory] = {}
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
        self.channels = ChannelOps(self)
        self.server = ServerInspector(run)
        self.latency_reports: list[tuple[str, str, LatencyStats]] = []
        self._crowds: CrowdOps | None = None

    def use_profile(self, name: str) -> None:
        """``Given the API profile "NAME"``: a built-in name or a TOML file path."""
        self.profile = self.run.profile(self.text(name))

    def identity_of(self, name: str) -> str | None:
        memory = self._memory.get(name)
        return memory.identity if memory else None

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

    # -- connecting ----------------------------------------------------------

    def resolve_ws_url(self, target: str | None) -> str:
        """A full ws:// URL, a path resolved against ``WSBDD_URL``'s origin, or ``WSBDD_URL``."""
        base = self.settings.ws_url
        if target and "://" in target:
            return target
        if not base:
            raise ConfigError(
                "is not set, so there is no server to connect to",
                file=self.settings.source,
                key="WSBDD_URL",
            )
        if not target:
            return base
        parts = urlsplit(base)
        origin = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
        return urljoin(origin, target.lstrip("/"))

    def _resolve_token(self, spec: ConnectSpec) -> tuple[str | None, str | None]:
        """(identity, token) of a connect step's clauses."""
        if spec.token is not None:
            return None, self.text(spec.token)
        if spec.identity is not None:
            identity = self.text(spec.identity)
            return identity, self.token_for(identity)
        return None, None

    def build_request(self, spec: ConnectSpec) -> ConnectRequest:
        """The connection request, with the token placed where the profile says."""
        url = self.resolve_ws_url(self.text(spec.target) if spec.target else None)
        headers = [(self.text(k), self.text(v)) for k, v in spec.headers]
        subprotocols = [self.text(p) for p in spec.subprotocols]
        if not subprotocols and self.profile is not None:
            subprotocols = list(self.profile.subprotocols)
        identity, token = self._resolve_token(spec)
        auth = self.profile.auth if self.profile is not None else AuthSpec()
        if token is not None and not spec.no_token:
            self.run.redactor.add(token)
            if auth.mode == "query":
                url = _with_query(url, auth.param, token)
            elif auth.mode == "header":
                headers.append((auth.header, self._auth_value(auth.value, token, identity)))
            elif auth.mode == "subprotocol":
                subprotocols.append(self._auth_value(auth.value, token, identity))
        return ConnectRequest(
            url=url,
            headers=tuple(headers),
            subprotocols=tuple(subprotocols),
            origin=self.text(spec.origin) if spec.origin else None,
            open_timeout=self.scaled(self.settings.connect_timeout),
            ca_file=str(self.settings.ca_file) if self.settings.ca_file else None,
            identity=identity,
            secrets=tuple(self.run.redactor.secrets),
        )

    def _auth_value(self, template: str, token: str, identity: str | None) -> str:
        variables = Variables(
            {**self.variables.scenario, "token": token, "user": identity or ""},
            self.variables.environ,
        )
        return substitute(template, variables)

    def connect(self, name: str, spec: ConnectSpec, *, require_open: bool) -> ConnectResult:
        """Open a connection for client ``name``; with ``require_open``, it must open.

        When the profile sends the token in a first message, a connect with an
        identity also sends it and waits for the acknowledgement.
        """
        request = self.build_request(spec)
        identity, token = self._resolve_token(spec)
        result = self.clients.connect(name, request)
        self._memory[name] = _ClientMemory(
            spec=spec, request=request, identity=identity, token=token
        )
        if require_open and not result.opened:
            raise ExpectationFailed(
                self.run.redactor.text(
                    f"client {name} could not connect to {result.handshake.url}: "
                    f"{_describe_outcome(result)}"
                )
            )
        if (
            result.opened
            and token is not None
            and self.profile is not None
            and self.profile.auth.mode == "message"
            and self.profile.auth.on_connect
        ):
            self.channels.authenticate_by_message(name, identity, token, required=require_open)
        return result

    def authenticate(self, name: str, identity: str) -> None:
        """``client A authenticates as alice``, the way the profile carries tokens.

        A first-message profile sends its auth message on the open connection;
        a profile that carries the token in the handshake reconnects the client
        with that identity.
        """
        identity = self.text(identity)
        token = self.token_for(identity)
        memory = self._memory.get(name)
        if memory is None:
            self.client(name)  # raises UnknownClient
            raise UsageError(f"client {name} has no connection to authenticate")
        if self.profile is not None and self.profile.auth.mode == "message":
            self.run.redactor.add(token)
            memory.identity, memory.token = identity, token
            self.channels.authenticate_by_message(name, identity, token)
            return
        spec = ConnectSpec(
            target=memory.spec.target,
            identity=identity,
            subprotocols=memory.spec.subprotocols,
            origin=memory.spec.origin,
            headers=memory.spec.headers,
        )
        self.connect(name, spec, require_open=True)

    def client(self, name: str) -> Client:
        return self.clients.get(name)

    def assert_open(self, name: str) -> None:
        client = self.client(name)
        if not client.result.opened:
            raise ExpectationFailed(
                self.run.redactor.text(
                    f"client {name} is not connected: {_describe_outcome(client.result)}"
                )
            )
        if client.close_info is not None:
            raise ExpectationFailed(
                f"client {name} is not connected: {client.close_info.describe()}"
            )

    def assert_subprotocol(self, name: str, expected: str | None) -> None:
        client = self.client(name)
        self._require_opened(name, client)
        actual = client.subprotocol
        if actual != expected:
            shown = f'"{actual}"' if actual else "none"
            wanted = f'"{expected}"' if expected else "none"
            offered = ", ".join(client.request.subprotocols) or "none"
            raise ExpectationFailed(
                f"client {name}'s subprotocol is {shown}, expected {wanted} (offered: {offered})"
            )

    def assert_rejected(self, name: str, status: int) -> None:
        client = self.client(name)
        result = client.result
        if result.handshake.status == status and not result.opened:
            return
        raise ExpectationFailed(
            self.run.redactor.text(
                f"client {name}'s handshake was expected to be rejected with status {status}, "
                f"but {_describe_outcome(result)}"
            )
        )

    def assert_refused(self, name: str) -> None:
        result = self.client(name).result
        if result.outcome is not ConnectOutcome.REFUSED:
            raise ExpectationFailed(
                self.run.redactor.text(
                    f"client {name}'s connection was expected to be refused, but "
                    f"{_describe_outcome(result)}"
                )
            )

    def _require_opened(self, name: str, client: Client) -> None:
        if not client.result.opened:
            raise ExpectationFailed(
                self.run.redactor.text(
                    f"client {name} never connected: {_describe_outcome(client.result)}"
                )
            )

    # -- closing ------------------------------------------------------------

    def disconnect(self, name: str, code: int = 1000, reason: str = "") -> None:
        self.clients.close(name, code, reason)

    def disconnect_all(self) -> None:
        """Close every open client normally, named ones and crowds alike."""
        for name in self.clients.names():
            client = self.clients.get(name)
            if client.close_info is None and client.result.opened:
                self.clients.close(name, 1000, "")
        if self._crowds is not None:
            self._crowds.disconnect_all()

    def drop(self, name: str) -> None:
        self.clients.drop(name)

    def reconnect(self, name: str, *, resume: bool) -> ConnectResult:
        """A new connection for the same client (same URL, identity, subprotocols).

        Its channels are subscribed again; with ``resume``, from the last
        position the client saw on each (the profile's ``[resume]``).
        """
        memory = self._memory.get(name)
        if memory is None:
            self.client(name)  # raises UnknownClient
            raise UsageError(f"client {name} has no connection to reconnect")
        old = self.client(name)
        positions = self.channels.last_positions(name, old) if resume else None
        if old.close_info is None and old.result.opened:
            self.clients.close(name, 1000, "reconnecting")
        result = self.clients.connect(name, memory.request)
        if not result.opened:
            raise ExpectationFailed(
                self.run.redactor.text(
                    f"client {name} could not reconnect: {_describe_outcome(result)}"
                )
            )
        if (
            memory.token is not None
            and self.profile is not None
            and self.profile.auth.mode == "message"
        ):
            self.channels.authenticate_by_message(name, memory.identity, memory.token)
        if self.profile is not None and self.channels.subscriptions(name):
            self.channels.resubscribe(name, positions)
        return result

    # -- sending ---------------------------------------------------------------

    def send_json(self, name: str, text: str) -> float:
        value = self.json(text)
        return self.clients.send_text(name, json.dumps(value, ensure_ascii=False))

    def send_text(self, name: str, text: str) -> float:
        return self.clients.send_text(name, self.text(text))

    def send_binary_hex(self, name: str, hex_text: str) -> float:
        cleaned = "".join(self.text(hex_text).split())
        try:
            data = bytes.fromhex(cleaned)
        except ValueError:
            raise UsageError(
                f'"{hex_text}" is not hexadecimal (expected pairs of 0-9a-f, e.g. "0a0b0c")'
            ) from None
        return self.clients.send_binary(name, data)

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
        frames = [
            json.dumps(render_json(template, self.variables.with_counter(i)), ensure_ascii=False)
            for i in range(1, count + 1)
        ]
        self.clients.send_many(name, frames, rate)

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
        memory = self._memory.get(name)

        def probe(client: Client) -> float | None:
            seen = memory.pings_seen if memory else 0
            return client.pings[seen] if len(client.pings) > seen else None

        at = self.clients.wait(name, probe, deadline.remaining())
        if at is None:
            client = self.client(name)
            state = client.close_info.describe() if client.close_info else "still open"
            raise ExpectationFailed(
                f"client {name} received no protocol ping {deadline.describe()} "
                f"({len(client.pings)} pings in all; client {state})"
            )
        if memory:
            memory.pings_seen += 1
        return at

    def receive_protocol_pong(self, name: str, deadline: Deadline) -> float:
        sent = self.clients.last_ping_sent(name)
        if sent is None:
            raise UsageError(
                f"client {name} has sent no protocol ping: "
                f'add "client {name} sends a protocol ping"'
            )

        def probe(client: Client) -> float | None:
            return next((at for at in client.pongs if at >= sent), None)

        at = self.clients.wait(name, probe, deadline.remaining())
        if at is None:
            raise ExpectationFailed(
                f"client {name} received no protocol pong {deadline.describe()} "
                f"(ping sent {format_duration(now() - sent)} ago)"
            )
        if deadline.limit is not None and at - deadline.origin > deadline.limit:
            raise ExpectationFailed(
                f"client {name}'s protocol pong arrived {format_duration(at - sent)} after the "
                f"ping (limit {format_duration(deadline.limit)})"
            )
        return at

    # -- schemas -----------------------------------------------------------------

    def schema_problems(self, message: Message, schema: str) -> str | None:
        """None when valid; else a readable list of violations."""
        if not message.is_json:
            return f"not JSON: {message.display()}"
        violations = self.run.schemas.violations(message.payload, schema)
        if not violations:
            return None
        return "\n".join(f"    {v.path}: {v.message} ({v.rule})" for v in violations[:10])

    def receive_schema(self, name: str, schema: str, deadline: Deadline) -> Message:
        self.run.schemas.violations({}, schema)  # fail fast on a missing schema file
        return self.receiver.receive_where(
            name,
            lambda m: self.schema_problems(m, schema) is None,
            f'a message matching schema "{schema}"',
            deadline,
            explain=lambda inbox: self._closest_to_schema(inbox, schema),
        )

    def _closest_to_schema(self, inbox: Sequence[Message], schema: str) -> list[str]:
        """The JSON message with the fewest violations of ``schema``, and its violations."""
        scored = [
            (len(self.run.schemas.violations(m.payload, schema)), m.index, m)
            for m in inbox
            if m.is_json
        ]
        if not scored:
            return []
        _, _, message = min(scored, key=lambda item: (item[0], item[1]))
        problems = self.schema_problems(message, schema) or ""
        return [f"closest to the schema: #{message.index} {message.display(200)}", problems]

    def assert_last_schema(self, name: str, schema: str) -> None:
        message = self.last_message(name)
        problems = self.schema_problems(message, schema)
        if problems:
            raise ExpectationFailed(
                f'client {name}\'s last message does not match schema "{schema}"\n'
                f"  message #{message.index}: {message.display()}\n{problems}"
            )

    def assert_all_schema(self, name: str, schema: str) -> None:
        client = self.client(name)
        failures = []
        for message in client.received:
            problems = self.schema_problems(message, schema)
            if problems:
                failures.append(f"  #{message.index} {message.display()}\n{problems}")
        if failures:
            raise ExpectationFailed(
                f"client {name}: {len(failures)} of {len(client.received)} messages do not match "
                f'schema "{schema}"\n' + "\n".join(failures[:5])
            )
        if not client.received:
            raise ExpectationFailed(
                f"client {name} has received no message to check against {schema!r}"
            )

    # -- HTTP ------------------------------------------------------------------

    def http_request(
        self, method: str, target: str, identity: str | None, body: str | None
    ) -> HttpResponse:
        assert self.run.http is not None
        headers: dict[str, str] = {}
        if identity:
            headers["Authorization"] = f"Bearer {self.token_for(self.text(identity))}"
        payload = None
        if body is not None:
            payload = json.dumps(self.json(body), ensure_ascii=False)
        self.clients.mark_trigger(now())
        self.response = self.run.http.request(
            method, self.text(target), body=payload, headers=headers
        )
        self.clients.mark_trigger(self.response.sent_at)
        return self.response

    def require_response(self) -> HttpResponse:
        if self.response is None:
            raise UsageError(
                "no HTTP response yet: add a step like 'When I send a GET request to \"/healthz\"'"
            )
        return self.response

    def assert_status(self, status: int) -> None:
        response = self.require_response()
        if response.status != status:
            raise ExpectationFailed(
                self.run.redactor.text(
                    f"{response.method} {response.url} answered {response.status}, expected "
                    f"{status}\n  body: {response.text[:500]}"
                )
            )

    def assert_response_body(self, expected: Any) -> None:
        response = self.require_response()
        payload = response.payload
        if not isinstance(payload, (dict, list, str, int, float, bool)) and payload is not None:
            raise ExpectationFailed(f"the response body is not JSON: {response.text[:500]}")
        mismatches = match(expected, payload)
        if mismatches:
            raise ExpectationFailed(
                f"the response body does not match {describe_expected(expected)}\n"
                f"  body: {response.text[:500]}\n{render_mismatches(mismatches)}"
            )

    def save_from_response(self, path: str, variable: str) -> Any:
        response = self.require_response()
        try:
            value = select(response.payload, path)
        except (PathNotFound, TypeError) as exc:
            raise ExpectationFailed(
                f"the response has no {path}: {exc}\n  body: {response.text[:500]}"
            ) from None
        self.variables.set(variable, value)
        return value

    # -- server ------------------------------------------------------------------

    def assert_server_running(self) -> None:
        assert self.run.http is not None
        base = self.settings.health_url or (
            f"{self.settings.http_url.rstrip('/')}/healthz" if self.settings.http_url else None
        )
        if base is None:
            raise ConfigError(
                "is not set: cannot tell whether the server runs", key="WSBDD_HTTP_URL"
            )
        deadline = time.monotonic() + self.scaled(self.default_timeout)
        last = ""
        while True:
            try:
                response = self.run.http.request("GET", base)
                if response.status < 500:
                    return
                last = f"status {response.status}"
            except ExpectationFailed as exc:
                last = str(exc)
            if time.monotonic() >= deadline:
                raise ExpectationFailed(f"the server is not running: GET {base}: {last}")
            time.sleep(0.05)  # polling an external process; bounded by the deadline

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
        self.latency_reports.append((sender, name, stats))
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
            from wsbdd.crowd import CrowdOps

            self._crowds = CrowdOps(self)
        return self._crowds

    # -- teardown ----------------------------------------------------------------

    def close(self) -> None:
        """Close every client and crowd of the scenario (bounded) and forget them."""
        try:
            if self._crowds is not None:
                self._crowds.close()
        finally:
            self.clients.reset()
            self._memory.clear()


def _with_query(url: str, key: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    query.append((key, value))
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment)
    )


def _describe_outcome(result: ConnectResult) -> str:
    detail = f" ({result.detail})" if result.detail else ""
    if result.handshake.status is not None and not result.opened:
        return f"{result.outcome.value} with HTTP status {result.handshake.status}{detail}"
    if result.outcome.value == "open":
        return "it opened"
    return f"{result.outcome.value} after {format_duration(result.elapsed)}{detail}"
