"""The scenario session: the composition root of a scenario's areas.

A :class:`ScenarioSession` is created before each scenario (``context.wsbdd``)
and closed after it: every client is closed and every task is gone, whatever
failed. It builds the scenario's shared parts (variables, roster, profile,
timing policy) and hands each area only the parts it needs; steps make one
call each into an area.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from wsbdd.core.deadlines import TimingPolicy
from wsbdd.core.exceptions import UsageError
from wsbdd.core.matching import Variables
from wsbdd.core.profiles import Profile
from wsbdd.core.records import now
from wsbdd.core.timing import LatencyStats
from wsbdd.run import RunContext
from wsbdd.runtime import Client, Clients, ClientView
from wsbdd.session.actions import ClientActions
from wsbdd.session.arguments import Arguments
from wsbdd.session.binary import BinaryChecks
from wsbdd.session.channels import ChannelOps
from wsbdd.session.codec_choice import SETTING as CODEC_SETTING
from wsbdd.session.codec_choice import CodecChoice
from wsbdd.session.connections import ConnectionOps
from wsbdd.session.contracts import ContractChecks
from wsbdd.session.deliveries import Deliveries
from wsbdd.session.events import EventChecks
from wsbdd.session.handshake import RequestBuilder
from wsbdd.session.http import HttpExchange
from wsbdd.session.http_publish import HttpPublisher
from wsbdd.session.message_auth import MessageAuthenticator
from wsbdd.session.messages import Messages
from wsbdd.session.profile_choice import ProfileChoice
from wsbdd.session.publications import Publications
from wsbdd.session.receiving import Receiver
from wsbdd.session.roster import ConnectSpec, Roster
from wsbdd.session.schemas import SchemaChecks
from wsbdd.session.server_control import ServerInspector
from wsbdd.session.socketio import SocketIOOps
from wsbdd.session.stream_channels import StreamSubscriptions
from wsbdd.session.template_vars import TemplateVariables
from wsbdd.session.timing import ScenarioTiming

if TYPE_CHECKING:
    from wsbdd.mock.ops import MockOps
    from wsbdd.session.crowds import CrowdOps

__all__ = ["ConnectSpec", "ScenarioSession"]

T = TypeVar("T")


class ScenarioSession:
    """Everything one scenario does: its shared parts, and one area per kind of step.

    Areas: ``connections``, ``actions`` (send, ping, idle, reading),
    ``messages`` (receive and close expectations), ``channels``,
    ``deliveries``, ``crowds``, ``http``, ``schemas``, ``binary``, ``codecs``,
    ``contracts``, ``server`` and ``mock``.
    """

    def __init__(self, run: RunContext) -> None:
        if run.clients is None or run.http is None:
            raise UsageError("the wsbdd run is not started (is environment.py missing its hooks?)")
        self.run = run
        self.settings = settings = run.settings
        self.clients: Clients = run.clients
        redactor = run.redactor
        self.started_at = now()
        # -- shared parts
        self.variables = Variables({}, dict(settings.values))
        self.args = Arguments(self.variables)
        self.roster = Roster(settings.tokens, settings.source, redactor)
        self.profiles = ProfileChoice(run.profile, settings.profile, settings.source)
        self.timing = ScenarioTiming(
            TimingPolicy(settings.timeout, settings.timeout_scale), self.clients
        )
        self.receiver = Receiver(self.clients, redactor)
        template_vars = TemplateVariables(self.variables, self.roster, self.profiles)
        publications = Publications()
        requests = RequestBuilder(
            settings, self.args, self.roster, self.profiles, redactor, self.timing
        )
        # -- areas
        self.codecs = CodecChoice(
            settings.values.get(CODEC_SETTING),
            settings.source,
            lambda: self.profiles.current,
            lambda: run.features_dirs,
            self.clients,
        )
        self.messages = Messages(self.clients, self.receiver, self.timing, self.variables)
        self.socketio = SocketIOOps(self.clients, self.timing, redactor)
        self.events = EventChecks(
            self.clients, self.receiver, redactor, self.timing, self.messages.last_message
        )
        self.actions = ClientActions(self.clients, self.args, self.timing)
        self.http = HttpExchange(run.http, self.args, self.roster, self.clients, redactor)
        requests.http = self.http
        self.channels = ChannelOps(
            self.clients,
            self.receiver,
            template_vars,
            self.profiles,
            publications,
            self.timing,
            redactor,
            HttpPublisher(self.http, requests, self.roster, redactor),
            StreamSubscriptions(
                self.clients, self.roster, template_vars, redactor, lambda: self.connections
            ),
        )
        self.deliveries = Deliveries(
            self.clients, publications, template_vars, self.profiles, self.timing
        )
        message_auth = MessageAuthenticator(
            self.clients, self.receiver, template_vars, self.profiles, self.timing, redactor
        )
        self.connections = ConnectionOps(
            self.clients,
            self.roster,
            requests,
            message_auth,
            template_vars,
            self.profiles,
            self.timing,
            self.codecs,
            redactor,
            self.channels,
        )
        self._crowd_parts = (requests, template_vars, publications, redactor)
        self._crowds: CrowdOps | None = None
        self.schemas = SchemaChecks(run.schemas, self.receiver, self.messages, self.timing)
        self.binary = BinaryChecks(self.receiver, self.timing)
        self.contracts = ContractChecks(
            run.contracts, self.clients, self.receiver, lambda: self.profiles.current, self.timing
        )
        self.server = ServerInspector(run)
        self._mock: MockOps | None = None

    # -- the scenario's settings ------------------------------------------------

    @property
    def profile(self) -> Profile | None:
        """The scenario's API profile, if any."""
        return self.profiles.current

    def use_profile(self, name: str) -> None:
        """``Given the API profile "NAME"``: a built-in name or a TOML file path."""
        self.profiles.use(self.text(name))

    @property
    def default_timeout(self) -> float:
        """The default timeout in seconds, before scaling."""
        return self.timing.policy.default_timeout

    @default_timeout.setter
    def default_timeout(self, seconds: float) -> None:
        self.timing.policy.set_default_timeout(seconds)

    def set_default_timeout(self, seconds: float) -> None:
        """``Given the default timeout is T``."""
        self.timing.policy.set_default_timeout(seconds)

    def scaled(self, seconds: float) -> float:
        """A wait scaled by ``WSBDD_TIMEOUT_SCALE`` (for the mock server's waits)."""
        return self.timing.scaled(seconds)

    @property
    def tokens(self) -> dict[str, str]:
        """Tokens by lower-case identity."""
        return self.roster.tokens

    def set_tokens(self, rows: Iterable[Mapping[str, str]]) -> None:
        """``Given the tokens:`` with columns user and token."""
        self.roster.set_tokens(rows, self.text)

    # -- variables ---------------------------------------------------------------

    def text(self, value: str) -> str:
        """Substitute ``${variables}`` in a step argument."""
        return self.args.text(value)

    def json(self, text: str) -> Any:
        """Substitute variables, then parse one JSON document."""
        return self.args.json(text)

    def json_lines(self, text: str) -> list[Any]:
        """Substitute variables, then parse several JSON values."""
        return self.args.json_lines(text)

    def set_variable(self, name: str, value: Any) -> None:
        """Set ``${name}`` for the rest of the scenario."""
        self.variables.set(name, value)

    # -- clients -----------------------------------------------------------------

    def client(self, name: str) -> ClientView:
        """An immutable copy of client ``name``, taken on the loop (UnknownClient if none)."""
        return self.clients.view(name)

    def disconnect_all(self) -> None:
        """``When all clients disconnect``: named clients and crowds alike."""
        self.connections.disconnect_all()
        if self._crowds is not None:
            self._crowds.disconnect_all()

    @property
    def latency_reports(self) -> list[tuple[str, str, LatencyStats, list[float], float, float]]:
        """(sender, receiver, stats, samples, percentile, limit) of each latency step."""
        return self.deliveries.latency_reports

    @property
    def crowds(self) -> CrowdOps:
        """The scenario's crowds, built on first use: a scenario without one never loads them."""
        if self._crowds is None:
            from wsbdd.session.crowd_session import CrowdChannels, CrowdContext
            from wsbdd.session.crowds import CrowdOps

            requests, template_vars, publications, redactor = self._crowd_parts
            crowd_context = CrowdContext(
                self.run,
                self.clients,
                self.timing,
                CrowdChannels(self.profiles, template_vars, publications),
                self.deliveries.latency_reports,
            )
            self._crowds = CrowdOps(
                self.clients,
                self.args,
                requests,
                template_vars,
                self.profiles,
                self.timing,
                redactor,
                crowd_context,
            )
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

    def close(self, before: Callable[[Mapping[str, Client]], T] | None = None) -> T | None:
        """Close every client and crowd of the scenario (bounded) and forget them.

        ``before(clients)`` runs on the loop just before the clients close, in
        the same hop, and its result is returned (the report's records).
        """
        try:
            if self._mock is not None:
                self._mock.close()
            if self._crowds is not None:
                self._crowds.close()
        finally:
            try:
                taken = self.clients.reset(before)
            finally:
                self.roster.forget()
        return taken
