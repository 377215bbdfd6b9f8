"""``ServerOptions``: every knob of the reference server, with the CLI defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .bugs import validate_bugs
from .history import DEFAULT_HISTORY_BYTES, DEFAULT_HISTORY_TOTAL
from .jsonframes import DEFAULT_MAX_DEPTH

__all__ = ["DEFAULT_MAX_SIZE", "ServerOptions"]

DEFAULT_MAX_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """Options of one reference server (see ``docs/reference-server.md``).

    ``users`` maps user → token; ``None`` means ``WSBDD_SERVER_USERS`` from the
    environment, else the built-in table (alice, bob, carol). ``origins`` is
    ``None`` (any Origin) or the allowed Origin values. ``queue_limit`` of 0
    means unbounded. ``send_buffer`` is each connection's kernel send buffer
    (``SO_SNDBUF``; 0 keeps the system default): kept modest so that a slow
    consumer fills the server's own queue, where the 1013 policy applies,
    instead of megabytes of kernel memory. History is bounded per channel
    (``history`` frames) and in total (``history_total`` frames,
    ``history_bytes`` bytes of JSON text); 0 in any of them keeps nothing.
    ``max_depth`` bounds the nesting of arrays/objects in a client frame.
    ``codec`` is what ``/ws`` frames are made of: ``json`` text (default),
    ``msgpack`` or ``cbor`` binary frames, both ways.
    """

    host: str = "127.0.0.1"
    port: int = 0
    bugs: frozenset[str] = frozenset()
    ping_interval: float = 20.0
    ping_timeout: float = 20.0
    queue_limit: int = 1000
    history: int = 1000
    history_total: int = DEFAULT_HISTORY_TOTAL
    history_bytes: int = DEFAULT_HISTORY_BYTES
    max_size: int = DEFAULT_MAX_SIZE
    origins: tuple[str, ...] | None = None
    users: Mapping[str, str] | None = None
    close_timeout: float = 5.0
    order_paid_delay: float = 0.05
    send_buffer: int = 65536
    max_depth: int = DEFAULT_MAX_DEPTH
    codec: str = "json"

    def __post_init__(self) -> None:
        object.__setattr__(self, "bugs", validate_bugs(self.bugs))
        if self.queue_limit < 0:
            raise ValueError("queue_limit must be >= 0 (0 = unbounded)")
        if self.send_buffer < 0:
            raise ValueError("send_buffer must be >= 0 (0 = system default)")
        if min(self.history, self.history_total, self.history_bytes) < 0:
            raise ValueError("history, history_total and history_bytes must be >= 0")
        if self.max_size <= 0:
            raise ValueError("max_size must be > 0")
        if self.codec not in ("json", "msgpack", "cbor"):
            raise ValueError("codec must be json, msgpack or cbor")
        if self.max_depth <= 0:
            raise ValueError("max_depth must be > 0")
        if self.ping_interval <= 0 or self.ping_timeout <= 0:
            raise ValueError("ping_interval and ping_timeout must be > 0")

    def bug(self, name: str) -> bool:
        """True when the bug ``name`` is switched on."""
        return name in self.bugs
