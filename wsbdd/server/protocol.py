"""The protocol spoken on ``/ws`` (JSON, or the ``--codec``): one method per client frame type."""

from __future__ import annotations

from typing import Any

from .channels import may_use
from .clock import new_id, utc_now
from .hub import Hub
from .jsonframes import DEFAULT_MAX_DEPTH, FrameError
from .session import Session
from .wire import Wire

__all__ = ["RESERVED_FIELDS", "ProtocolHandler"]

RESERVED_FIELDS = frozenset({"type", "channel", "from", "text", "id", "seq", "ts"})
"""Fields of a delivered ``message`` the client cannot override (others are echoed)."""


def _error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, **extra}


class ProtocolHandler:
    """Interprets client frames for one server (stateless between frames)."""

    def __init__(
        self,
        hub: Hub,
        *,
        bugs: frozenset[str],
        max_depth: int = DEFAULT_MAX_DEPTH,
        wire: Wire | None = None,
    ) -> None:
        self.hub = hub
        self.max_depth = max_depth
        self.wire = wire or Wire(max_depth=max_depth)
        self.check_ownership = "no_ownership_check" not in bugs

    def handle(self, session: Session, data: str | bytes) -> None:
        """Handle one frame; every problem is answered with an ``error`` frame."""
        try:
            frame = self.wire.decode(data)
        except FrameError as exc:
            session.reply(_error(exc.code, exc.message))
            return
        if not isinstance(frame, dict):
            session.reply(_error("bad_request", "expected a JSON object with a 'type'"))
            return
        kind = frame.get("type")
        if not isinstance(kind, str):
            session.reply(_error("bad_request", "missing or non-string field 'type'"))
            return
        method = getattr(self, "on_" + kind, None) if kind.isidentifier() else None
        if method is None:
            session.reply(_error("unknown_type", f"unknown message type {kind!r}", got=kind))
            return
        method(session, frame)

    def _channel_name(self, session: Session, frame: dict[str, Any]) -> str | None:
        """The frame's ``channel``; None (after an error reply) when missing or not a string."""
        channel = frame.get("channel")
        if not isinstance(channel, str) or not channel:
            session.reply(_error("bad_request", "missing or non-string field 'channel'"))
            return None
        return channel

    def _channel(self, session: Session, frame: dict[str, Any]) -> str | None:
        """The frame's ``channel`` if ``session`` may use it; else None (after an error reply)."""
        channel = self._channel_name(session, frame)
        if channel is None:
            return None
        if not may_use(channel, session.user, check_ownership=self.check_ownership):
            session.reply(_error("forbidden", f"not allowed on {channel}", channel=channel))
            return None
        return channel

    def on_ping(self, session: Session, frame: dict[str, Any]) -> None:
        """``ping`` → ``pong``."""
        session.reply({"type": "pong"})

    def on_subscribe(self, session: Session, frame: dict[str, Any]) -> None:
        """``subscribe {channel, since?}`` → ``subscribed {channel, seq, recovered?}`` + replay."""
        since = frame.get("since")
        if since is not None and (
            isinstance(since, bool) or not isinstance(since, int) or since < 0
        ):
            session.reply(_error("bad_request", "'since' must be a non-negative integer"))
            return
        channel = self._channel(session, frame)
        if channel is None:
            return
        result = self.hub.subscribe(session, channel, since)
        reply: dict[str, Any] = {"type": "subscribed", "channel": channel, "seq": result.seq}
        if result.recovered is not None:
            reply["recovered"] = result.recovered
        session.reply(reply)
        for text in result.replay:
            session.deliver(text)

    def on_unsubscribe(self, session: Session, frame: dict[str, Any]) -> None:
        """``unsubscribe {channel}`` → ``unsubscribed {channel}``."""
        channel = self._channel_name(session, frame)
        if channel is None:
            return
        self.hub.unsubscribe(session, channel)
        session.reply({"type": "unsubscribed", "channel": channel})

    def on_message(self, session: Session, frame: dict[str, Any]) -> None:
        """``message {channel, text, ...}`` → ``message`` to every subscriber (extras echoed)."""
        text = frame.get("text")
        if not isinstance(text, str):
            session.reply(_error("bad_request", "missing or non-string field 'text'"))
            return
        channel = self._channel(session, frame)
        if channel is None:
            return
        out = {k: v for k, v in frame.items() if k not in RESERVED_FIELDS}
        out.update(
            {
                "type": "message",
                "from": session.user,
                "text": text,
                "id": new_id("msg"),
                "ts": utc_now(),
            }
        )
        self.hub.publish(channel, out)
