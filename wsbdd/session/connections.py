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
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.matching import matches
from wsbdd.core.profiles import ConnectionSpec
from wsbdd.core.records import CloseInfo, ConnectOutcome, ConnectResult, Message
from wsbdd.core.redaction import Redactor
from wsbdd.core.timing import format_duration
from wsbdd.runtime import Client, Clients, ClientView, ConnectRequest
from wsbdd.session.codec_choice import CodecChoice
from wsbdd.session.handshake import RequestBuilder
from wsbdd.session.message_auth import MessageAuthenticator
from wsbdd.session.profile_choice import ProfileChoice
from wsbdd.session.receiving import Unseen
from wsbdd.session.roster import ConnectSpec, Enrolment, Roster
from wsbdd.session.sse import SSE, last_event_id, with_last_event_id
from wsbdd.session.template_vars import TemplateVariables
from wsbdd.session.timing import ScenarioTiming

__all__ = ["ChannelMemory", "ConnectSpec", "ConnectionOps"]


class ChannelMemory(Protocol):
    """What a reconnect needs of the client's channels (the channels area provides it)."""

    def subscriptions(self, name: str) -> list[str]:
        """The channels client ``name`` is subscribed to."""
        ...

    def last_positions(self, name: str, client: ClientView) -> dict[str, Any]:
        """The last position ``client`` saw on each subscribed channel (for resume)."""
        ...

    def resubscribe(self, name: str, positions: Mapping[str, Any] | None) -> None:
        """Subscribe again after a reconnect, resuming from ``positions`` when given."""
        ...


class ConnectionOps:
    """The connection steps of one scenario."""

    def __init__(
        self,
        clients: Clients,
        roster: Roster,
        requests: RequestBuilder,
        message_auth: MessageAuthenticator,
        template_vars: TemplateVariables,
        profiles: ProfileChoice,
        timing: ScenarioTiming,
        codecs: CodecChoice,
        redactor: Redactor,
        channels: ChannelMemory,
    ) -> None:
        self._clients = clients
        self._roster = roster
        self._requests = requests
        self._auth = message_auth
        self._vars = template_vars
        self._profiles = profiles
        self._timing = timing
        self._codecs = codecs
        self._redactor = redactor
        self._channels = channels

    def identity_of(self, name: str) -> str | None:
        """Whom client ``name`` is connected as."""
        return self._roster.identity_of(name)

    def resolve_ws_url(self, target: str | None) -> str:
        """A full ws:// URL, a path resolved against ``WSBDD_URL``'s origin, or ``WSBDD_URL``."""
        return self._requests.resolve_ws_url(target)

    def build_request(self, spec: ConnectSpec) -> ConnectRequest:
        """The connection request, with the token placed where the profile says."""
        return self._requests.prepare(spec)[0]

    def prepare(self, spec: ConnectSpec) -> tuple[ConnectRequest, str | None]:
        """The connection request and the token it carries (``request.identity`` is whose)."""
        return self._requests.prepare(spec)

    def _streams_subscribe(self) -> bool:
        """Whether the profile subscribes by opening an event stream (SSE)."""
        profile = self._profiles.current
        return profile is not None and profile.stream is not None

    def _auth_by_message(self) -> bool:
        """Whether the profile sends the token in a first message (not in the handshake)."""
        return self._profiles.current is not None and self._requests.strategy.by_message

    def connect(self, name: str, spec: ConnectSpec, *, require_open: bool) -> ConnectResult:
        """Open a connection for client ``name``; with ``require_open``, it must open.

        When the profile sends the token in a first message, a connect with an
        identity also sends it and waits for the acknowledgement.
        """
        request, token = self.prepare(spec)
        request = dataclasses.replace(request, codec=self._codecs.for_client(name))
        identity = request.identity
        acks_by_message = (
            token is not None and self._auth_by_message() and self._requests.auth.on_connect
        )
        enrolment = Enrolment(spec=spec, request=request, identity=identity, token=token)
        settled: tuple[Message | None, bool | None] | None = None
        if require_open and not acks_by_message:
            # The usual connect: it opens and settles in one hop to the loop. The
            # settle probe renders the profile's templates with this identity.
            earlier = self._roster.enrolment(name)
            self._roster.enrol(name, enrolment)
            try:
                probe, timeout = self._settle_probe(name)
                result, found, still_open = self._clients.connect_and_wait(
                    name, request, probe, timeout
                )
            except BaseException:
                self._roster.restore(name, earlier)
                raise
            settled = found if found is not None else (None, still_open)
        else:
            result = self._clients.connect(name, request)
            self._roster.enrol(name, enrolment)
        if require_open and not result.opened:
            raise ExpectationFailed(
                self._redactor.text(
                    f"client {name} could not connect to {result.handshake.url}: "
                    f"{_describe_outcome(result)}"
                )
            )
        acknowledged = False
        if result.opened and acks_by_message:
            self._auth.authenticate(name, identity, token, required=require_open)
            acknowledged = self._auth.acknowledged
        if require_open:
            self.confirm_open(name, "connected", acknowledged=acknowledged, settled=settled)
        return result

    def confirm_open(
        self,
        name: str,
        verb: str,
        *,
        acknowledged: bool = False,
        settled: tuple[Message | None, bool | None] | None = None,
    ) -> None:
        """The new connection is still open once its welcome arrived or the settle time passed.

        ``acknowledged``: the profile's auth ack already arrived (no more
        waiting); ``settled``: what the settle wait that ran with the connect
        found (a refusal, and whether it was open then). Fails naming the close
        code (and, for a token from the environment, its key), or the message
        that refused the connection.
        """
        refusal: Message | None = None
        still_open: bool | None = None
        if settled is not None:
            refusal, still_open = settled
        elif not acknowledged:
            refusal, still_open = self._settle(name)
        if still_open is None:
            still_open = self._clients.view(name).is_open
        if refusal is None and still_open:
            return
        client = self._clients.view(name)
        info: CloseInfo | None = None
        if refusal is None:
            # Closing or closed: the close is recorded at once (bounded anyway).
            info = self._clients.wait(name, _close_of, client.request.close_timeout)
            what = info.describe() if info is not None else "its connection is closing"
        else:
            what = f"it was refused: #{refusal.index} {refusal.display()}"
        identity = self._roster.identity_of(name)
        who = f" as {identity}" if identity else ""
        raise ExpectationFailed(
            self._redactor.text(
                f"client {name} {verb}{who}, but the connection did not stay open: "
                f"{what}{self._roster.token_hint(name, info)}"
            )
        )

    def _settle(self, name: str) -> tuple[Message | None, bool | None]:
        """Wait for the welcome, a refusal or a close, at most the settle time.

        The refusal (if any), and whether the connection was open when the
        wait ended (None: the loop did not say, the wait timed out).
        """
        probe, timeout = self._settle_probe(name)
        found = self._clients.wait(name, probe, timeout)
        return found if found is not None else (None, None)

    def _settle_probe(
        self, name: str
    ) -> tuple[Callable[[Client], tuple[Message | None, bool] | None], float]:
        """The settle wait of client ``name``: its probe (run on the loop) and its time limit.

        The probe answers the refusal that arrived (or None) and whether the
        connection is open, once the profile's welcome, a refusal or a close
        came; None while none did.
        """
        profile = self._profiles.current
        spec = profile.connection if profile is not None else ConnectionSpec()
        variables = self._vars(name) if profile is not None else None
        ack = None
        rejects: list[Any] = []
        if variables is not None:
            ack = spec.ack.render(variables) if spec.ack is not None else None
            rejects = [template.render(variables) for template in spec.rejections]
        unseen = Unseen()

        def probe(client: Client) -> tuple[Message | None, bool] | None:
            for message in unseen(client):
                if not message.is_json or message.index < client.first_index:
                    continue  # only what this connection received confirms it
                if any(matches(reject, message.payload) for reject in rejects):
                    return (message, client.is_open)
                if ack is not None and matches(ack, message.payload):
                    return (None, client.is_open)
            return (None, False) if not client.is_open else None

        return probe, self._timing.scaled(spec.settle)

    def authenticate(self, name: str, identity: str) -> None:
        """``client A authenticates as alice``, the way the profile carries tokens.

        A first-message profile sends its auth message on the open connection;
        a profile that carries the token in the handshake reconnects the client
        with that identity. An SSE profile's client without a stream yet takes
        the identity for the streams it opens and the publications it sends.
        """
        identity = self._requests.text(identity)
        token = self._roster.token_for(identity)
        memory = self._roster.enrolment(name)
        if memory is None and self._streams_subscribe():
            # An SSE profile's client may have no stream yet: its later streams (and its
            # publications over HTTP) carry this identity; opening one checks the token.
            spec = ConnectSpec(identity=identity, transport=SSE)
            request, _ = self.prepare(spec)
            self._roster.enrol(
                name, Enrolment(spec=spec, request=request, identity=identity, token=token)
            )
            return
        if memory is None:
            self._clients.view(name)  # raises UnknownClient
            raise UsageError(f"client {name} has no connection to authenticate")
        if self._auth_by_message():
            self._redactor.add(token)
            memory.identity, memory.token = identity, token
            self._auth.authenticate(name, identity, token)
            return
        spec = ConnectSpec(
            target=memory.spec.target,
            identity=identity,
            subprotocols=memory.spec.subprotocols,
            origin=memory.spec.origin,
            headers=memory.spec.headers,
            transport=memory.spec.transport,
        )
        self.connect(name, spec, require_open=True)

    def assert_open(self, name: str) -> None:
        """The connection of client ``name`` is open right now."""
        client = self._clients.view(name)
        if not client.result.opened:
            raise ExpectationFailed(
                self._redactor.text(
                    f"client {name} is not connected: {_describe_outcome(client.result)}"
                )
            )
        if client.is_open:
            return
        # A connection wsbdd failed, or one closing: its close is recorded at once.
        info = self._clients.wait(name, _close_of, client.request.close_timeout)
        what = info.describe() if info is not None else "its connection is closing"
        raise ExpectationFailed(self._redactor.text(f"client {name} is not connected: {what}"))

    def assert_subprotocol(self, name: str, expected: str | None) -> None:
        """The server chose ``expected`` as subprotocol (None: no subprotocol)."""
        client = self._clients.view(name)
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
        """The handshake was refused with HTTP ``status``."""
        client = self._clients.view(name)
        result = client.result
        if result.handshake.status == status and not result.opened:
            return
        raise ExpectationFailed(
            self._redactor.text(
                f"client {name}'s handshake was expected to be rejected with status {status}, "
                f"but {_describe_outcome(result)}"
            )
        )

    def assert_refused(self, name: str) -> None:
        """Nothing accepted the TCP connection."""
        result = self._clients.view(name).result
        if result.outcome is not ConnectOutcome.REFUSED:
            raise ExpectationFailed(
                self._redactor.text(
                    f"client {name}'s connection was expected to be refused, but "
                    f"{_describe_outcome(result)}"
                )
            )

    def _require_opened(self, name: str, client: ClientView) -> None:
        if not client.result.opened:
            raise ExpectationFailed(
                self._redactor.text(
                    f"client {name} never connected: {_describe_outcome(client.result)}"
                )
            )

    def disconnect(self, name: str, code: int = 1000, reason: str = "") -> None:
        """Close the connection with ``code`` and ``reason``."""
        self._clients.close(name, code, reason)

    def disconnect_all(self) -> None:
        """Close every open named client normally (the session adds its crowds)."""
        for name in self._clients.names():
            client = self._clients.view(name)
            if client.close_info is None and client.result.opened:
                self._clients.close(name, 1000, "")

    def drop(self, name: str) -> None:
        """Cut the TCP connection with no closing handshake."""
        self._clients.drop(name)

    def reconnect(self, name: str, *, resume: bool) -> ConnectResult:
        """A new connection for the same client (same URL, identity, subprotocols).

        Its channels are subscribed again; with ``resume``, from the last
        position the client saw on each (the profile's ``[resume]``).
        """
        memory = self._roster.enrolment(name)
        if memory is None:
            self._clients.view(name)  # raises UnknownClient
            raise UsageError(f"client {name} has no connection to reconnect")
        old = self._clients.view(name)
        positions = self._channels.last_positions(name, old) if resume else None
        if old.close_info is None and old.result.opened:
            self._clients.close(name, 1000, "reconnecting")
        request = memory.request
        if request.transport == SSE:  # as EventSource does, resuming or not
            request = with_last_event_id(request, last_event_id(old.received))
        result = self._clients.connect(name, request)
        if not result.opened:
            raise ExpectationFailed(
                self._redactor.text(
                    f"client {name} could not reconnect: {_describe_outcome(result)}"
                )
            )
        acknowledged = False
        if memory.token is not None and self._auth_by_message():
            self._auth.authenticate(name, memory.identity, memory.token)
            acknowledged = self._auth.acknowledged
        self.confirm_open(name, "reconnected", acknowledged=acknowledged)
        if self._profiles.current is not None and self._channels.subscriptions(name):
            self._channels.resubscribe(name, positions)
        return result


def _close_of(client: Client) -> CloseInfo | None:
    return client.close_info


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
