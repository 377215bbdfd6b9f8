"""Environments: ``environments/<name>.env`` read with python-dotenv.

The environment is chosen by ``wsbdd run --env NAME``, ``behave -D env=NAME``
or ``WSBDD_ENV`` (in that order), default ``local``. Real environment
variables win over the file. Every mistake is a :class:`ConfigError` naming the
file and the key.

Keys
----
``WSBDD_SERVER``       ``embedded`` (start the reference server on a free port),
                       ``none`` (use the URLs as given), or a shell command that
                       starts the system under test.
``WSBDD_SERVER_ARGS``  extra ``wsbdd serve`` options for the embedded server.
``WSBDD_SERVER_BUGS``  comma-separated reference-server bugs to switch on
                       (set by ``wsbdd run --bug NAME``; embedded server only).
``WSBDD_URL``          WebSocket base URL; "connects to "/path"" resolves
                       against its origin. Required unless embedded.
``WSBDD_HTTP_URL``     HTTP base URL (default: derived from ``WSBDD_URL``).
``WSBDD_HEALTH_URL``   what the server answers when it runs: a server command
                       must answer it before the run, and "the server is
                       running" checks it (default ``<WSBDD_HTTP_URL>/healthz``).
``WSBDD_TOKEN_<USER>`` the token of identity ``<user>`` ("as alice").
``WSBDD_TIMEOUT``      default wait, e.g. ``2 s`` or ``500 ms`` (default 2 s).
``WSBDD_CONNECT_TIMEOUT`` handshake timeout (default 5 s).
``WSBDD_PROFILE``      API profile: a built-in name or a path to a TOML file.
``WSBDD_SCHEMAS``      folder of JSON Schemas (default ``features/schemas``).
``WSBDD_METRICS_URL``  metrics JSON endpoint (default ``<http>/metrics`` for
                       the embedded server).
``WSBDD_CA_FILE``      CA bundle for ``wss://`` and ``https://`` with a private CA.
``WSBDD_CLIENT_CERT``  client certificate (PEM) presented to ``wss://`` and
                       ``https://`` servers that ask for one (mTLS); the key may
                       be in the same file.
``WSBDD_CLIENT_KEY``   the client certificate's private key, when in its own file.
``WSBDD_TIMEOUT_SCALE`` multiplies every wait, for slow machines (default 1).
``WSBDD_DEBUG``        ``1`` (in the shell) shows the Python traceback of a
                       mistake instead of its one line (see wsbdd.mistakes).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from dotenv import dotenv_values

from wsbdd.core.exceptions import ConfigError, UsageError
from wsbdd.core.timing import parse_duration

__all__ = [
    "DEFAULT_ENV",
    "ServerMode",
    "Settings",
    "choose_environment",
    "http_url_from_ws",
    "load_settings",
]

DEFAULT_ENV = "local"
ServerMode = Literal["embedded", "none", "command"]
_TOKEN_PREFIX = "WSBDD_TOKEN_"


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about its target, validated."""

    env_name: str
    env_file: Path | None
    values: Mapping[str, str]
    server_mode: ServerMode
    server_command: str | None = None
    server_args: tuple[str, ...] = ()
    ws_url: str | None = None
    http_url: str | None = None
    health_url: str | None = None
    metrics_url: str | None = None
    tokens: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 2.0
    connect_timeout: float = 5.0
    timeout_scale: float = 1.0
    profile: str | None = None
    schemas_dir: Path = Path("features/schemas")
    ca_file: Path | None = None
    client_cert: Path | None = None
    """The mTLS client certificate (``WSBDD_CLIENT_CERT``), for wss:// and https://."""
    client_key: Path | None = None
    """Its private key (``WSBDD_CLIENT_KEY``) when not in the certificate file."""

    @property
    def source(self) -> str:
        """Where the settings came from, for error messages."""
        return str(self.env_file) if self.env_file else f"environment {self.env_name!r}"

    def with_urls(self, ws_url: str, http_url: str) -> Settings:
        """The same settings pointed at a server started for this run."""
        from dataclasses import replace

        metrics = self.metrics_url or f"{http_url.rstrip('/')}/metrics"
        return replace(
            self,
            ws_url=ws_url,
            http_url=http_url,
            health_url=_health_url(http_url),
            metrics_url=metrics,
        )

    def secrets(self) -> list[str]:
        """Every configured secret, for redaction."""
        return [token for token in self.tokens.values() if token]


def _health_url(http_url: str) -> str:
    """The reference server's health check, the default for every server."""
    return f"{http_url.rstrip('/')}/healthz"


def choose_environment(
    cli_env: str | None = None,
    userdata: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Pick the environment name: ``--env``, then ``-D env=``, then ``WSBDD_ENV``."""
    environ = os.environ if environ is None else environ
    for candidate in (cli_env, (userdata or {}).get("env"), environ.get("WSBDD_ENV")):
        if candidate:
            return candidate
    return DEFAULT_ENV


def http_url_from_ws(ws_url: str) -> str:
    """``ws://host:1234/ws`` → ``http://host:1234`` (``wss`` → ``https``)."""
    parts = urlsplit(ws_url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, "", "", ""))


def load_settings(
    env_name: str,
    *,
    env_dir: Path | str = "environments",
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read ``<env_dir>/<env_name>.env``, overlay real environment variables, validate."""
    environ = os.environ if environ is None else environ
    env_dir = Path(env_dir)
    env_file = env_dir / f"{env_name}.env"
    if not env_file.is_file():
        available = sorted(p.stem for p in env_dir.glob("*.env")) if env_dir.is_dir() else []
        hint = f" (available: {', '.join(available)})" if available else ""
        raise ConfigError(
            f"environment {env_name!r} not found: create {env_file}{hint}", file=str(env_file)
        )
    file_values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    values: dict[str, str] = dict(file_values)
    values.update({k: v for k, v in environ.items() if k.startswith("WSBDD_")})
    return _validate(env_name, env_file, values)


def _validate(env_name: str, env_file: Path, values: Mapping[str, str]) -> Settings:
    source = str(env_file)

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(message, file=source, key=key)

    server_raw = values.get("WSBDD_SERVER", "none").strip() or "none"
    mode: ServerMode
    command: str | None = None
    if server_raw in ("embedded", "none"):
        mode = "embedded" if server_raw == "embedded" else "none"
    else:
        mode, command = "command", server_raw

    bugs = [b.strip() for b in values.get("WSBDD_SERVER_BUGS", "").split(",") if b.strip()]
    if bugs and mode != "embedded":
        raise fail(
            "WSBDD_SERVER",
            f"is {server_raw!r}, but --bug {' '.join(bugs)} needs the embedded reference "
            "server (WSBDD_SERVER=embedded)",
        )
    ws_url = _url(values, "WSBDD_URL", ("ws", "wss"), fail)
    if ws_url is None and mode != "embedded":
        raise fail("WSBDD_URL", "is not set (expected a ws:// or wss:// URL of the server)")
    http_url = _url(values, "WSBDD_HTTP_URL", ("http", "https"), fail)
    if http_url is None and ws_url is not None:
        http_url = http_url_from_ws(ws_url)
    health_url = _url(values, "WSBDD_HEALTH_URL", ("http", "https"), fail)
    if health_url is None and http_url:
        health_url = _health_url(http_url)
    metrics_url = _url(values, "WSBDD_METRICS_URL", ("http", "https"), fail)

    try:
        server_args = tuple(shlex.split(values.get("WSBDD_SERVER_ARGS", "")))
        server_args += tuple(arg for bug in bugs for arg in ("--bug", bug))
    except ValueError as exc:
        raise fail("WSBDD_SERVER_ARGS", f"cannot be split into arguments: {exc}") from None

    tokens: dict[str, str] = {}
    for key, value in values.items():
        if key.startswith(_TOKEN_PREFIX) and len(key) > len(_TOKEN_PREFIX):
            user = key[len(_TOKEN_PREFIX) :].lower()
            if not value:
                raise fail(key, "is empty (expected the token of that user)")
            tokens[user] = value

    ca_file: Path | None = None
    if values.get("WSBDD_CA_FILE"):
        ca_file = Path(values["WSBDD_CA_FILE"])
        if not ca_file.is_file():
            raise fail("WSBDD_CA_FILE", f"file {ca_file} does not exist (expected a PEM CA bundle)")
    client_cert = _pem_file(values, "WSBDD_CLIENT_CERT", "a PEM client certificate", fail)
    client_key = _pem_file(values, "WSBDD_CLIENT_KEY", "the PEM key of WSBDD_CLIENT_CERT", fail)
    if client_key is not None and client_cert is None:
        raise fail("WSBDD_CLIENT_KEY", "is set without WSBDD_CLIENT_CERT (set both, or neither)")

    return Settings(
        env_name=env_name,
        env_file=env_file,
        values=dict(values),
        server_mode=mode,
        server_command=command,
        server_args=server_args,
        ws_url=ws_url,
        http_url=http_url,
        health_url=health_url,
        metrics_url=metrics_url,
        tokens=tokens,
        timeout=_duration(values, "WSBDD_TIMEOUT", 2.0, fail),
        connect_timeout=_duration(values, "WSBDD_CONNECT_TIMEOUT", 5.0, fail),
        timeout_scale=_positive_number(values, "WSBDD_TIMEOUT_SCALE", 1.0, fail),
        profile=values.get("WSBDD_PROFILE") or None,
        schemas_dir=Path(values.get("WSBDD_SCHEMAS") or "features/schemas"),
        ca_file=ca_file,
        client_cert=client_cert,
        client_key=client_key,
    )


_Fail = Callable[[str, str], ConfigError]


def _pem_file(values: Mapping[str, str], key: str, what: str, fail: _Fail) -> Path | None:
    raw = values.get(key, "").strip()
    if not raw:
        return None
    path = Path(raw)
    if not path.is_file():
        raise fail(key, f"file {path} does not exist (expected {what})")
    return path


def _url(values: Mapping[str, str], key: str, schemes: tuple[str, ...], fail: _Fail) -> str | None:
    raw = values.get(key, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not parts.netloc:
        wanted = " or ".join(f"{s}://" for s in schemes)
        raise fail(key, f"{raw!r} is not a valid URL (expected {wanted}host[:port][/path])")
    return raw


def _duration(values: Mapping[str, str], key: str, default: float, fail: _Fail) -> float:
    raw = values.get(key, "").strip()
    if not raw:
        return default
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        raise fail(key, f"{raw!r} has no unit: write {raw} s or {raw} ms")
    try:
        return parse_duration(raw)
    except UsageError:
        raise fail(key, f"{raw!r} is not a duration (expected e.g. 2 s or 500 ms)") from None


def _positive_number(values: Mapping[str, str], key: str, default: float, fail: _Fail) -> float:
    raw = values.get(key, "").strip()
    if not raw:
        return default
    try:
        number = float(raw)
    except ValueError:
        number = -1.0
    if number <= 0:
        raise fail(key, f"{raw!r} is not a positive number")
    return number
