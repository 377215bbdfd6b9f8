"""What a client connects with: :class:`ConnectRequest` (plain data)."""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from wsbdd.core.codecs import Codec
from wsbdd.core.exceptions import ConfigError, UsageError
from wsbdd.core.redaction import Redactor

from .tls import shared_context
from .transports import check_url
from .transports.socketio_options import SocketIOOptions

__all__ = ["DEFAULT_MAX_SIZE", "ConnectRequest"]

DEFAULT_MAX_SIZE = 64 * 2**20
"""Largest message a client accepts (64 MiB): a 10 MiB frame must get through."""


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    """Everything needed to open one connection (WebSocket unless ``transport`` says otherwise).

    Sequences given for ``headers``, ``subprotocols`` and ``secrets`` are
    stored as tuples. ``headers`` are ``(name, value)`` pairs sent with the opening handshake
    (repeats allowed); ``secrets`` are strings to mask in transcripts and in
    the recorded handshake (tokens). ``identity`` is only a label (``alice``)
    kept for reports and reconnects. ``ca_file`` trusts a private CA for
    ``wss://``. The remaining fields tune websockets and rarely change:
    ``compression`` (``"deflate"`` or None), ``max_size`` (bytes per message),
    ``max_queue`` (frames buffered before TCP reading pauses: the "stops
    reading" back-pressure), ``close_timeout`` (seconds to wait for the
    closing handshake before aborting). ``codec`` decodes received frames and
    encodes sent values (None: JSON text). ``transport`` names the kind of
    connection (:mod:`wsbdd.runtime.transports`): ``"websocket"`` needs a
    ``ws://``/``wss://`` URL, ``"sse"`` an ``http(s)://`` one.
    """

    url: str
    headers: Sequence[tuple[str, str]] = ()
    subprotocols: Sequence[str] = ()
    origin: str | None = None
    open_timeout: float = 10.0
    ca_file: str | Path | None = None
    identity: str | None = None
    secrets: Sequence[str] = ()
    compression: Literal["deflate"] | None = "deflate"
    max_size: int | None = DEFAULT_MAX_SIZE
    max_queue: int | None = 16
    close_timeout: float = 2.0
    codec: Codec | None = None
    transport: str = "websocket"
    client_cert: str | Path | None = None
    """The mTLS client certificate (PEM) for ``wss://``/``https://``; ``client_key`` if separate."""
    client_key: str | Path | None = None
    socketio: SocketIOOptions | None = None
    """Socket.IO only: the Engine.IO path and where the token goes."""
    redactor: Redactor | None = field(default=None, compare=False, repr=False)
    """The run's redactor, shared by the client and its transport (see :meth:`make_redactor`)."""

    def __post_init__(self) -> None:
        # Accept any iterables (lists from table steps) but store tuples.
        object.__setattr__(self, "headers", _pairs(self.headers))
        object.__setattr__(self, "subprotocols", tuple(self.subprotocols))
        object.__setattr__(self, "secrets", tuple(s for s in self.secrets if s))
        check_url(self.transport, self.url)
        if self.open_timeout <= 0:
            raise UsageError(f"open_timeout must be positive, got {self.open_timeout}")

    def make_redactor(self) -> Redactor:
        """The redactor of this connection: the run's when the request carries it.

        What a connection learns then hides the value everywhere: a ``Set-Cookie``
        value masked in the handshake is masked too when a message carries it,
        in the failure text and in the report. Without one (the runtime used on
        its own), a new redactor of ``secrets``.
        """
        return self.redactor if self.redactor is not None else Redactor(self.secrets)

    @property
    def secure(self) -> bool:
        """True for ``wss://`` and ``https://`` URLs."""
        return self.url.startswith(("wss://", "https://"))

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for ``wss://`` (``ca_file``, mTLS ``client_cert``); None: the default.

        Made once for the same files while they stay the same on disk, and shared by
        every connection (:func:`~wsbdd.runtime.tls.shared_context`). Raises
        :class:`~wsbdd.core.exceptions.ConfigError` when the CA file cannot be
        read (a setup mistake, not server behaviour).
        """
        if not self.secure or (self.ca_file is None and self.client_cert is None):
            return None
        files = (self.ca_file, self.client_cert, self.client_key)
        return shared_context([None if f is None else str(f) for f in files], self._new_context)

    def _new_context(self) -> ssl.SSLContext:
        try:
            context = ssl.create_default_context(
                cafile=str(self.ca_file) if self.ca_file is not None else None
            )
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"cannot load the CA certificate: {exc}", file=str(self.ca_file)
            ) from exc
        if self.client_cert is not None:
            key = str(self.client_key) if self.client_key is not None else None
            try:
                context.load_cert_chain(str(self.client_cert), key)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(
                    f"cannot load the client certificate: {exc}",
                    file=str(self.client_cert),
                    key="WSBDD_CLIENT_CERT",
                ) from exc
        return context


def _pairs(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in headers:
        name, value = item
        pairs.append((str(name), str(value)))
    return tuple(pairs)
