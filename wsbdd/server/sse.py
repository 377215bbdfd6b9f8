"""The reference server's event streams: ``GET /sse/<channel>`` streams what is published there.

Each frame published on a channel (by a WebSocket client, or an order event)
is sent to the channel's streams as one Server-Sent Event: ``id`` is the
frame's ``seq``, ``event`` its ``type`` and ``data`` the frame as JSON. A
stream that sends ``Last-Event-ID`` (or ``?since=N``) first gets the kept
frames after that seq. Public ``room:`` channels need no token; a private
channel needs its owner's token (``Authorization: Bearer`` or ``?token=``):
401 without a known token, 403 for a channel the user may not read. The
stream ends when the server stops.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from .auth import UserTable, token_from_request
from .channels import is_room, may_use
from .history import History

__all__ = ["PREFIX", "EventFeeds", "event_bytes"]

PREFIX = "/sse/"
"""Where the event streams are: ``GET /sse/<channel>``."""

_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
    b"Connection: close\r\n\r\n"
)


def event_bytes(seq: int, kind: str, text: str) -> bytes:
    """One event on the wire: ``id``, ``event`` and ``data`` lines, then a blank line."""
    return f"id: {seq}\nevent: {kind}\ndata: {text}\n\n".encode()


class EventFeeds:
    """The open event streams of every channel, fed by the hub's ``publish``."""

    def __init__(self, history: History, seq_of: Callable[[str], int]) -> None:
        self._history = history
        self._seq_of = seq_of
        self._streams: dict[str, dict[asyncio.WriteTransport, None]] = {}

    def __len__(self) -> int:
        return sum(len(streams) for streams in self._streams.values())

    def admit(self, target: str, authorization: str | None, users: UserTable) -> str | bytes:
        """The channel a ``GET /sse/...`` may stream, or the complete refusal to send."""
        channel = unquote(urlsplit(target).path[len(PREFIX) :])
        if not channel:
            return _refusal(404, "not_found", "name a channel: GET /sse/<channel>")
        if is_room(channel):
            return channel
        token = token_from_request(target, authorization)
        user = users.user_for(token) if token else None
        if user is None:
            return _refusal(401, "unauthorized", "missing or unknown token")
        if not may_use(channel, user):
            return _refusal(403, "forbidden", f"{user} may not read {channel}")
        return channel

    def open(
        self, channel: str, transport: asyncio.WriteTransport, target: str, last_id: str | None
    ) -> None:
        """Stream ``channel`` on ``transport``, after the kept frames since ``last_id``."""
        transport.write(_HEAD)
        since = _since(target, last_id)
        if since is not None:
            frames, _ = self._history.since(channel, self._seq_of(channel), since)
            for text in frames:
                frame = json.loads(text) if isinstance(text, str) else {}
                seq = int(frame.get("seq", 0))
                transport.write(event_bytes(seq, str(frame.get("type", "message")), str(text)))
        self._streams.setdefault(channel, {})[transport] = None

    def forget(self, transport: asyncio.WriteTransport) -> None:
        """A stream's connection was lost."""
        for name, streams in list(self._streams.items()):
            streams.pop(transport, None)
            if not streams:
                del self._streams[name]

    def publish(self, channel: str, seq: int, kind: str, text: str) -> None:
        """Send one published frame to every stream of ``channel``."""
        streams = self._streams.get(channel)
        if not streams:
            return
        data = event_bytes(seq, kind, text)
        for transport in list(streams):
            if transport.is_closing():
                streams.pop(transport, None)
            else:
                transport.write(data)

    def close(self) -> None:
        """Server stop: end every stream."""
        for streams in self._streams.values():
            for transport in streams:
                transport.close()
        self._streams.clear()


def _since(target: str, last_id: str | None) -> int | None:
    query = parse_qs(urlsplit(target).query)
    raw = last_id if last_id else next(iter(query.get("since", [])), None)
    return int(raw) if raw is not None and raw.strip().isdigit() else None


def _refusal(status: int, code: str, message: str) -> bytes:
    body = json.dumps({"error": code, "message": message}).encode()
    reason = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body
