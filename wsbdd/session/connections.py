"""A scenario's named connections: connect, authenticate, check, close, drop, reconnect.

The token travels where the API profile says (``[auth]``: query, header,
subprotocol, or a first message); "connects" records whatever happened,
"is connected" also requires that the connection opened **and is still open**
once the profile's confirmation arrived (its auth ack, or its ``[connection]``
welcome) or, without one, once the settle time passed (``[connection] settle``,
100 ms by default, scaled by ``WSBDD_TIMEOUT_SCALE``): a server that closes
the connection right after the handshake (a wrong token: 4403) fails that step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from wsbdd.core.close_texts import AUTH_CLOSE_CODES
from wsbdd.core.exceptions import ConfigError, ExpectationFailed, UsageError
from wsbdd.core.matching import Variables, matches, substitute
from wsbdd.core.profiles import AuthSpec, ConnectionSpec
from wsbdd.core.records import CloseInfo, ConnectOutcome, ConnectResult, Message
from wsbdd.core.timing import format_duration
from wsbdd.runtime import Client, ClientView, ConnectRequest
from wsbdd.session.receiving import Unseen

if TYPE_CHECKING:
    from wsbdd.session.scenario import ScenarioSession

__all__ = ["ConnectSpec", "ConnectionOps"]


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


class ConnectionOps:
    """The connection steps of one scenario, and what it remembers of each client."""

    def __init__(self, session: ScenarioSession) -> None:
        self._session = session
        self._memory: dict[str, _ClientMemory] = {}

    def forget(self) -> None:
        """End of scenario: forget every client."""
        self._memory.clear()

    def identity_of(self, name: str) -> str | None:
        memory = self._memory.get(name)
        return memory.identity if memory else None

    def resolve_ws_url(self, target: str | None) -> str:
        """A full ws:// URL, a path resolved against ``WSBDD_URL``'s origin, or ``WSBDD_URL``."""
        base = self._session.settings.ws_url
        if target and "://" in target:
            return target
        if not base:
            raise ConfigError(
                "is not set, so there is no server to connect to",
                file=self._session.settings.source,
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
            return None, self._session.text(spec.token)
        if spec.identity is not None:
            identity = self._session.text(spec.identity)
            return identity, self._session.token_for(identity)
        return None, None

    def build_request(self, spec: ConnectSpec) -> ConnectRequest:
        """The connection request, with the token placed where the profile says."""
        return self.prepare(spec)[0]

    def prepare(self, spec: ConnectSpec) -> tuple[ConnectRequest, str | None]:
        """The connection request and the token it carries (``request.identity`` is whose)."""
        url = self.resolve_ws_url(self._session.text(spec.target) if spec.target else None)
        headers = [(self._session.text(k), self._session.text(v)) for k, v in spec.headers]
        subprotocols = [self._session.text(p) for p in spec.subprotocols]
        if not subprotocols and self._session.profile is not None:
            subprotocols = list(self._session.profile.subprotocols)
        identity, token = self._resolve_token(spec)
        auth = self._session.profile.auth if self._session.profile is not None else AuthSpec()
        if token is not None and not spec.no_token:
            self._session.run.redactor.add(token)
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
            origin=self._session.text(spec.origin) if spec.origin else None,
            open_timeout=self._session.scaled(self._session.settings.connect_timeout),
            ca_file=str(self._session.settings.ca_file) if self._session.settings.ca_file else None,
            identity=identity,
            secrets=tuple(self._session.run.redactor.secrets),
        ), token

    def _auth_by_message(self) -> bool:
        """Whether the profile sends the token in a first message (not in the handshake)."""
        profile = self._session.profile
        return profile is not None and profile.auth.mode == "message"

    def _auth_value(self, template: str, token: str, identity: str | None) -> str:
        variables = Variables(
            {**self._session.variables.scenario, "token": token, "user": identity or ""},
            self._session.variables.environ,
        )
        return substitute(template, variables)

    def connect(self, name: str, spec: ConnectSpec, *, require_open: bool) -> ConnectResult:
        """Open a connection for client ``name``; with ``require_open``, it must open.

        When the profile sends the token in a first message, a connect with an
        identity also sends it and waits for the acknowledgement.
        """
        request, token = self.prepare(spec)
        request = dataclasses.replace(request, codec=self._session.codecs.for_client(name))
        identity = request.identity
        result = self._session.clients.connect(name, request)
        self._memory[name] = _ClientMemory(
            spec=spec, request=request, identity=identity, token=token
        )
        if require_open and not result.opened:
            raise ExpectationFailed(
                self._session.run.redactor.text(
                    f"client {name} could not connect to {result.handshake.url}: "
                    f"{_describe_outcome(result)}"
                )
            )
        acknowledged = False
        if (
            result.opened
            and token is not None
            and self._auth_by_message()
            and self._session.profile is not None
            and self._session.profile.auth.on_connect
        ):
            self._session.channels.authenticate_by_message(
                name, identity, token, required=require_open
            )
            acknowledged = self._session.profile.auth.ack is not None
        if require_open:
            self.confirm_open(name, "connected", acknowledged=acknowledged)
        return result

    def confirm_open(self, name: str, verb: str, *, acknowledged: bool = False) -> None:
        """The new connection is still open once its welcome arrived or the settle time passed.

        ``acknowledged``: the profile's auth ack already arrived (no more
        waiting). Fails naming the close code (and, for a token from the
        environment, its key), or the message that refused the connection.
        """
        session = self._session
        spec = session.profile.connection if session.profile is not None else ConnectionSpec()
        refusal: Message | None = None
        if not acknowledged:
            refusal = self._settle(name, spec)
        client = session.client(name)
        if refusal is None and client.is_open:
            return
        info: CloseInfo | None = None
        if refusal is None:
            # Closing or closed: the close is recorded at once (bounded anyway).
            info = session.clients.wait(name, _close_of, client.request.close_timeout)
            what = info.describe() if info is not None else "its connection is closing"
        else:
            what = f"it was refused: #{refusal.index} {refusal.display()}"
        memory = self._memory.get(name)
        identity = memory.identity if memory is not None else None
        who = f" as {identity}" if identity else ""
        raise ExpectationFailed(
            session.run.redactor.text(
                f"client {name} {verb}{who}, but the connection did not stay open: "
                f"{what}{self._token_hint(memory, info)}"
            )
        )

    def _settle(self, name: str, spec: ConnectionSpec) -> Message | None:
        """Wait for the welcome, a refusal or a close, at most the settle time; the refusal."""
        session = self._session
        variables = session.channels.variables(name) if session.profile is not None else None
        ack = None
        rejects: list[Any] = []
        if variables is not None:
            ack = spec.ack.render(variables) if spec.ack is not None else None
            rejects = [template.render(variables) for template in spec.rejections]
        unseen = Unseen()

        def probe(client: Client) -> tuple[Message | None] | None:
            for message in unseen(client):
                if not message.is_json or message.index < client.first_index:
                    continue  # only what this connection received confirms it
                if any(matches(reject, message.payload) for reject in rejects):
                    return (message,)
                if ack is not None and matches(ack, message.payload):
                    return (None,)
            return (None,) if not client.is_open else None

        found = session.clients.wait(name, probe, session.scaled(spec.settle))
        return found[0] if found is not None else None

    def _token_hint(self, memory: _ClientMemory | None, info: CloseInfo | None) -> str:
        """Where the token came from, after a close that refuses it (4401, 4403, 1008)."""
        if memory is None or memory.token is None or memory.identity is None or info is None:
            return ""
        if info.code not in AUTH_CLOSE_CODES or info.initiated_by != "server":
            return ""
        identity, settings = memory.identity, self._session.settings
        if settings.tokens.get(identity.lower()) == memory.token:
            return f" (is WSBDD_TOKEN_{identity.upper()} in {settings.source} right?)"
        return f' (is the token of {identity} in the "Given the tokens:" table right?)'

    def authenticate(self, name: str, identity: str) -> None:
        """``client A authenticates as alice``, the way the profile carries tokens.

        A first-message profile sends its auth message on the open connection;
        a profile that carries the token in the handshake reconnects the client
        with that identity.
        """
        identity = self._session.text(identity)
        token = self._session.token_for(identity)
        memory = self._memory.get(name)
        if memory is None:
            self._session.client(name)  # raises UnknownClient
            raise UsageError(f"client {name} has no connection to authenticate")
        if self._auth_by_message():
            self._session.run.redactor.add(token)
            memory.identity, memory.token = identity, token
            self._session.channels.authenticate_by_message(name, identity, token)
            return
        spec = ConnectSpec(
            target=memory.spec.target,
            identity=identity,
            subprotocols=memory.spec.subprotocols,
            origin=memory.spec.origin,
            headers=memory.spec.headers,
        )
        self.connect(name, spec, require_open=True)

    def assert_open(self, name: str) -> None:
        client = self._session.client(name)
        if not client.result.opened:
            raise ExpectationFailed(
                self._session.run.redactor.text(
                    f"client {name} is not connected: {_describe_outcome(client.result)}"
                )
            )
        if client.is_open:
            return
        # A connection wsbdd failed, or one closing: its close is recorded at once.
        info = self._session.clients.wait(name, _close_of, client.request.close_timeout)
        what = info.describe() if info is not None else "its connection is closing"
        raise ExpectationFailed(
            self._session.run.redactor.text(f"client {name} is not connected: {what}")
        )

    def assert_subprotocol(self, name: str, expected: str | None) -> None:
        client = self._session.client(name)
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
        client = self._session.client(name)
        result = client.result
        if result.handshake.status == status and not result.opened:
            return
        raise ExpectationFailed(
            self._session.run.redactor.text(
                f"client {name}'s handshake was expected to be rejected with status {status}, "
                f"but {_describe_outcome(result)}"
            )
        )

    def assert_refused(self, name: str) -> None:
        result = self._session.client(name).result
        if result.outcome is not ConnectOutcome.REFUSED:
            raise ExpectationFailed(
                self._session.run.redactor.text(
                    f"client {name}'s connection was expected to be refused, but "
                    f"{_describe_outcome(result)}"
                )
            )

    def _require_opened(self, name: str, client: ClientView) -> None:
        if not client.result.opened:
            raise ExpectationFailed(
                self._session.run.redactor.text(
                    f"client {name} never connected: {_describe_outcome(client.result)}"
                )
            )

    def disconnect(self, name: str, code: int = 1000, reason: str = "") -> None:
        self._session.clients.close(name, code, reason)

    def disconnect_all(self) -> None:
        """Close every open named client normally (the session adds its crowds)."""
        for name in self._session.clients.names():
            client = self._session.clients.view(name)
            if client.close_info is None and client.result.opened:
                self._session.clients.close(name, 1000, "")

    def drop(self, name: str) -> None:
        self._session.clients.drop(name)

    def reconnect(self, name: str, *, resume: bool) -> ConnectResult:
        """A new connection for the same client (same URL, identity, subprotocols).

        Its channels are subscribed again; with ``resume``, from the last
        position the client saw on each (the profile's ``[resume]``).
        """
        memory = self._memory.get(name)
        if memory is None:
            self._session.client(name)  # raises UnknownClient
            raise UsageError(f"client {name} has no connection to reconnect")
        old = self._session.client(name)
        positions = self._session.channels.last_positions(name, old) if resume else None
        if old.close_info is None and old.result.opened:
            self._session.clients.close(name, 1000, "reconnecting")
        result = self._session.clients.connect(name, memory.request)
        if not result.opened:
            raise ExpectationFailed(
                self._session.run.redactor.text(
                    f"client {name} could not reconnect: {_describe_outcome(result)}"
                )
            )
        acknowledged = False
        if memory.token is not None and self._auth_by_message():
            self._session.channels.authenticate_by_message(name, memory.identity, memory.token)
            acknowledged = self._session.profile is not None and (
                self._session.profile.auth.ack is not None
            )
        self.confirm_open(name, "reconnected", acknowledged=acknowledged)
        if self._session.profile is not None and self._session.channels.subscriptions(name):
            self._session.channels.resubscribe(name, positions)
        return result


def _close_of(client: Client) -> CloseInfo | None:
    return client.close_info


def _with_query(url: str, key: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    query.append((key, value))
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment)
    )


def _describe_outcome(result: ConnectResult) -> str:
    detail = f" ({result.detail})" if result.detail else ""
    rejected = result.outcome is ConnectOutcome.REJECTED
    if rejected and result.handshake.status is not None:
        # Only a rejection is about the status: a handshake that timed out after its
        # 101 arrived is a timeout, and says how long it took.
        return f"{result.outcome.value} with HTTP status {result.handshake.status}{detail}"
    if result.outcome.value == "open":
        return "it opened"
    return f"{result.outcome.value} after {format_duration(result.elapsed)}{detail}"
