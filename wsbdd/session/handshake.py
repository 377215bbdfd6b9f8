"""The connection request of a connect step: URL, headers, subprotocols, and the token.

Named clients and crowd members alike connect with the request built here;
the token goes where the profile's auth mode says (:mod:`wsbdd.session.auth_modes`).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

from wsbdd.config import Settings
from wsbdd.core.exceptions import ConfigError
from wsbdd.core.matching import Variables, substitute
from wsbdd.core.profiles import AuthSpec
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import ConnectRequest
from wsbdd.session.arguments import Arguments
from wsbdd.session.auth_modes import AuthStrategy, HandshakeDraft, strategy_for
from wsbdd.session.profile_choice import ProfileChoice
from wsbdd.session.roster import ConnectSpec, Roster
from wsbdd.session.sse import SSE, HeaderSource, sse_headers, sse_url
from wsbdd.session.timing import ScenarioTiming
from wsbdd.session.transport_choice import auth_for, base_url, socketio_options, transport_of

__all__ = ["HTTP_AUTH_MODES", "RequestBuilder"]

HTTP_AUTH_MODES = ("none", "query", "header", "cookie")
"""The ``[auth]`` modes a plain HTTP request (a publish over HTTP) can carry as written."""


class RequestBuilder:
    """Turns a connect step's clauses into the :class:`ConnectRequest` it opens."""

    def __init__(
        self,
        settings: Settings,
        args: Arguments,
        roster: Roster,
        profiles: ProfileChoice,
        redactor: Redactor,
        timing: ScenarioTiming,
    ) -> None:
        self._settings = settings
        self._args = args
        self._roster = roster
        self._profiles = profiles
        self._redactor = redactor
        self._timing = timing
        self.http: HeaderSource | None = None
        """The scenario's HTTP side: the headers and cookies an SSE stream sends."""

    @property
    def auth(self) -> AuthSpec:
        """The profile's ``[auth]`` (the default, query mode, without a profile)."""
        profile = self._profiles.current
        return profile.auth if profile is not None else AuthSpec()

    @property
    def strategy(self) -> AuthStrategy:
        """How the profile's auth mode carries a token."""
        return strategy_for(self.auth)

    def resolve_ws_url(self, target: str | None, base_url: str | None = None) -> str:
        """A full ws:// URL, a path resolved against ``WSBDD_URL``'s origin, or ``WSBDD_URL``.

        ``base_url`` replaces ``WSBDD_URL`` (a Socket.IO server of its own).
        """
        base = base_url or self._settings.ws_url
        if target and "://" in target:
            return target
        if not base:
            raise ConfigError(
                "is not set, so there is no server to connect to",
                file=self._settings.source,
                key="WSBDD_URL",
            )
        if not target:
            return base
        parts = urlsplit(base)
        origin = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
        return urljoin(origin, target.lstrip("/"))

    def text(self, value: str) -> str:
        """A step argument with ``${variables}`` substituted."""
        return self._args.text(value)

    def resolve_token(self, spec: ConnectSpec) -> tuple[str | None, str | None]:
        """(identity, token) of a connect step's clauses."""
        if spec.token is not None:
            return None, self._args.text(spec.token)
        if spec.identity is not None:
            identity = self._args.text(spec.identity)
            return identity, self._roster.token_for(identity)
        return None, None

    def prepare(self, spec: ConnectSpec) -> tuple[ConnectRequest, str | None]:
        """The connection request and the token it carries (``request.identity`` is whose)."""
        text = self._args.text
        profile = self._profiles.current
        kind = transport_of(profile, spec.transport)
        target = text(spec.target) if spec.target else None
        settings = self._settings
        if kind == SSE:
            url = sse_url(settings.http_url, target, settings.source)
        else:
            url = self.resolve_ws_url(target, base_url(settings.values, kind))
        draft = HandshakeDraft(
            url=url,
            headers=[(text(k), text(v)) for k, v in spec.headers],
            subprotocols=[text(p) for p in spec.subprotocols],
        )
        if not draft.subprotocols and profile is not None:
            draft.subprotocols = list(profile.subprotocols)
        identity, token = self.resolve_token(spec)
        if token is not None and not spec.no_token:
            self._redactor.add(token)
            auth = auth_for(profile, kind)
            strategy_for(auth).place(
                draft, auth, token, lambda template: self.render(template, token, identity)
            )
        if kind == SSE and self.http is not None:
            draft.headers = sse_headers(self.http, draft.url, draft.headers)
        return ConnectRequest(
            transport=kind,
            url=draft.url,
            headers=tuple(draft.headers),
            subprotocols=tuple(draft.subprotocols),
            origin=text(spec.origin) if spec.origin else None,
            open_timeout=self._timing.scaled(settings.connect_timeout),
            ca_file=str(settings.ca_file) if settings.ca_file else None,
            client_cert=settings.client_cert,
            client_key=settings.client_key,
            identity=identity,
            secrets=tuple(self._redactor.secrets),
            redactor=self._redactor,
            socketio=(
                socketio_options(
                    profile, settings.values, settings.source, None if spec.no_token else token
                )
                if kind == "socketio"
                else None
            ),
        ), token

    def http_credentials(
        self, target: str, token: str | None, identity: str | None
    ) -> tuple[str, list[tuple[str, str]]]:
        """A plain HTTP request's target and headers carrying ``token`` as ``[auth]`` says.

        Query, header and cookie modes place it as on a handshake; a token that
        cannot travel in a plain request (subprotocol, first message, Socket.IO
        auth payload) goes as ``Authorization: Bearer``, as "as alice" sends it.
        """
        draft = HandshakeDraft(url=target)
        if token is None:
            return target, []
        auth = self.auth
        if auth.mode not in HTTP_AUTH_MODES:
            auth = AuthSpec(mode="header")
        strategy_for(auth).place(
            draft, auth, token, lambda template: self.render(template, token, identity)
        )
        return draft.url, draft.headers

    def render(self, template: str, token: str, identity: str | None) -> str:
        """An ``[auth]`` template with ``${token}`` and ``${user}`` (and scenario variables)."""
        variables = self._args.variables
        return substitute(
            template,
            Variables(
                {**variables.scenario, "token": token, "user": identity or ""},
                variables.environ,
            ),
        )
