"""Run-wide state: settings, the managed server, the client runtime, HTTP, schemas.

One :class:`RunContext` lives from behave's ``before_all`` to ``after_all``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from wsbdd.config import Settings
from wsbdd.core.exceptions import ServerControlError
from wsbdd.core.matching.schema import SchemaStore
from wsbdd.core.profiles import Profile, load_profile
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import Clients
from wsbdd.runtime.http import HttpTrigger
from wsbdd.session.contracts import SETTING as CONTRACT_SETTING
from wsbdd.session.contracts import ContractLibrary

if TYPE_CHECKING:
    from wsbdd.server.managed import ManagedServer

__all__ = ["RunContext"]


class RunContext:
    """Owns everything that outlives a scenario, and closes it all at the end."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server: ManagedServer | None = None
        self.clients: Clients | None = None
        self.http: HttpTrigger | None = None
        self.schemas = SchemaStore(Path(settings.schemas_dir))
        self.redactor = Redactor(settings.secrets())
        self._profiles: dict[str, Profile] = {}
        self.features_dirs: list[Path] = []
        """Where the features being run are: files they name are looked for there first."""
        self.contracts = ContractLibrary(settings.values.get(CONTRACT_SETTING), settings.source)

    def profile(self, name: str) -> Profile:
        """Load (once per run) a built-in profile or a profile file."""
        if name not in self._profiles:
            self._profiles[name] = load_profile(name)
        return self._profiles[name]

    def start(self) -> None:
        """Start the client loop thread and the managed server (if any) side by side."""
        settings = self.settings
        # WSBDD_UVLOOP may come from the environment file, not only the shell. The
        # loop starts on a helper thread while the server boots (start-up time).
        made: list[Clients] = []
        starting = threading.Thread(
            target=lambda: made.append(Clients(environ=settings.values)),
            name="wsbdd-start-clients", daemon=True)
        starting.start()
        try:
            self._start_server(settings)
        finally:
            starting.join()
            self.clients = made[0] if made else None  # close() shuts it down on failure
        if self.clients is None:
            raise ServerControlError("the client loop thread did not start")
        self.http = HttpTrigger(
            self.settings.http_url,
            timeout=max(self.settings.timeout, 5.0) * self.settings.timeout_scale,
            verify=str(self.settings.ca_file) if self.settings.ca_file else True,
            client_cert=str(self.settings.client_cert) if self.settings.client_cert else None,
            client_key=str(self.settings.client_key) if self.settings.client_key else None,
        )

    def _start_server(self, settings: Settings) -> None:
        """Start the managed server, if the environment has one, and learn its URLs."""
        if settings.server_mode not in ("embedded", "command"):
            return  # a run against a server it does not manage never imports wsbdd.server
        from wsbdd.server.managed import ManagedServer

        if settings.server_mode == "embedded":
            self.server = ManagedServer.embedded(list(settings.server_args))
        elif settings.server_mode == "command":
            # config requires WSBDD_URL for a command, so both are known here.
            assert settings.server_command is not None and settings.health_url is not None
            self.server = ManagedServer.command(settings.server_command, settings.health_url)
        if self.server is not None:
            self.server.start()
            if settings.server_mode == "embedded":
                ws_url, http_url = self.server.ws_url, self.server.http_url
                if ws_url is None or http_url is None:
                    raise ServerControlError("the embedded server started but gave no URLs")
                self.settings = settings.with_urls(ws_url, http_url)

    def require_server(self, action: str) -> ManagedServer:
        """The managed server, or an error explaining that this target has none."""
        if self.server is None:
            raise ServerControlError(
                f"cannot {action}: the server of environment {self.settings.env_name!r} is not "
                f"managed by wsbdd (set WSBDD_SERVER=embedded or a start command in "
                f"{self.settings.source})"
            )
        return self.server

    def close(self) -> None:
        """Close every client, the HTTP client and the server; never raises twice."""
        errors: list[BaseException] = []
        for closer in (
            self.clients.shutdown if self.clients else None,
            self.http.close if self.http else None,
            self.server.stop if self.server else None,
        ):
            if closer is None:
                continue
            try:
                closer()
            except Exception as exc:  # keep closing the rest
                errors.append(exc)
        self.clients = None
        self.http = None
        if errors:
            raise errors[0]
