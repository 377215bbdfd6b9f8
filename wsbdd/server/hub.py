"""The hub: channels, their history, subscribers, presence and fan-out.

Everything here is synchronous and runs on the server's event loop: a publish
serialises the frame once and pushes the same text into every subscriber's
outbox without awaiting, so one slow subscriber never slows the others.

A channel exists while it has a subscriber, kept history or a held frame;
then it is freed (its seq is remembered, see ``history.SeqMemory``), so a
million one-off rooms cost no more than the bounded history.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast

from .channels import is_room
from .history import DEFAULT_HISTORY_BYTES, DEFAULT_HISTORY_TOTAL, History, SeqMemory
from .session import Session, dumps
from .sse import EventFeeds

__all__ = ["OUT_OF_ORDER_FLUSH", "Channel", "Hub", "SubscribeResult"]

OUT_OF_ORDER_FLUSH = 0.2
"""With ``out_of_order``, a held message is released after this long if nothing follows."""


@dataclass(eq=False)
class Channel:
    """One channel: its sequence counter and subscribers (its history is in ``History``)."""

    name: str
    seq: int = 0
    subscribers: dict[Session, None] = field(default_factory=dict)
    users: Counter[str] = field(default_factory=Counter)
    held: tuple[str | bytes, list[Session]] | None = None
    held_timer: asyncio.TimerHandle | None = None


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    """What a subscribe produced: the current seq, replay frames, recovery flag."""

    seq: int
    replay: list[str | bytes]
    recovered: bool | None


class Hub:
    """Routes deliveries between sessions; owns every channel."""

    def __init__(
        self,
        *,
        history: int,
        bugs: frozenset[str],
        history_total: int = DEFAULT_HISTORY_TOTAL,
        history_bytes: int = DEFAULT_HISTORY_BYTES,
        encode: Callable[[dict[str, Any]], str | bytes] = dumps,
    ) -> None:
        self.encode = encode
        """How a pushed frame is written (JSON text, or the server's ``--codec``)."""
        self.history = History(history, history_total, history_bytes)
        self._seqs = SeqMemory()
        # the bug switches, resolved once
        self._leak_on_disconnect = "leak_on_disconnect" in bugs
        self._no_resume = "no_resume" in bugs
        self._wrong_room = "wrong_room" in bugs
        self._out_of_order = "out_of_order" in bugs
        self.sessions: dict[Session, None] = {}
        self.channels: dict[str, Channel] = {}
        self.published = 0
        self.delivered = 0
        self.stopping = False
        """True once the server is stopping: handlers stop reading, nothing is delivered."""
        self.feeds = EventFeeds(self.history, self._seq_now)
        """The channels' event streams (``GET /sse/<channel>``)."""

    # -- sessions --------------------------------------------------------
    def add_session(self, session: Session) -> None:
        """Register a connection that completed authentication."""
        self.sessions[session] = None

    def remove_session(self, session: Session) -> None:
        """Forget a closed connection: unsubscribe everywhere (presence ``left``)."""
        session.open = False
        session.outbox.close()
        if self._leak_on_disconnect:
            return
        for name in list(session.subscriptions):
            self.unsubscribe(session, name)
        self.sessions.pop(session, None)

    # -- channels --------------------------------------------------------
    def _seq_now(self, name: str) -> int:
        found = self.channels.get(name)
        return found.seq if found is not None else 0

    def channel(self, name: str) -> Channel:
        """The channel called ``name``, created on first use."""
        found = self.channels.get(name)
        if found is None:
            found = self.channels[name] = Channel(name, self._seqs.start(name))
        return found

    def _free_if_idle(self, channel: Channel | None) -> None:
        """Free ``channel`` when nobody listens, nothing is kept and nothing is held."""
        if channel is None or channel.subscribers or channel.held is not None:
            return
        name = channel.name
        if name in self.history or self.channels.get(name) is not channel:
            return
        del self.channels[name]
        self._seqs.retire(name, channel.seq, self.published)

    def subscribe(self, session: Session, name: str, since: int | None) -> SubscribeResult:
        """Add ``session`` to ``name``; announce presence; compute the resume replay."""
        channel = self.channel(name)
        if self._no_resume:
            since = None
        replay: list[str | bytes] = []
        recovered: bool | None = None
        if since is not None:
            replay, recovered = self.history.since(name, channel.seq, since)
        if session not in channel.subscribers:
            first = channel.users[session.user] == 0
            if first and is_room(name):
                self._presence(channel, session.user, "joined")
            channel.subscribers[session] = None
            channel.users[session.user] += 1
            session.subscriptions.add(name)
        return SubscribeResult(channel.seq, replay, recovered)

    def unsubscribe(self, session: Session, name: str) -> None:
        """Remove ``session`` from ``name``; announce ``left`` for a user's last connection."""
        session.subscriptions.discard(name)
        channel = self.channels.get(name)
        if channel is None or session not in channel.subscribers:
            return
        del channel.subscribers[session]
        channel.users[session.user] -= 1
        if channel.users[session.user] <= 0:
            del channel.users[session.user]
            if is_room(name):
                self._presence(channel, session.user, "left")
        self._free_if_idle(channel)

    def _presence(self, channel: Channel, user: str, status: str) -> None:
        text = self.encode(
            {"type": "presence", "channel": channel.name, "user": user, "status": status}
        )
        for other in channel.subscribers:
            if other.user != user:
                other.deliver(text)
                self.delivered += 1

    # -- publishing ------------------------------------------------------
    def publish(self, name: str, frame: dict[str, Any]) -> int:
        """Stamp ``frame`` with channel and next seq, keep it in history, fan it out."""
        channel = self.channel(name)
        channel.seq += 1
        frame["channel"] = name
        frame["seq"] = channel.seq
        text = self.encode(frame)
        self.published += 1
        for emptied in self.history.keep(name, channel.seq, text):
            self._free_if_idle(self.channels.get(emptied))
        targets = list(channel.subscribers)
        room = is_room(name)
        if self._wrong_room and room:
            seen = set(targets)
            for other in self.channels.values():
                if other is not channel and is_room(other.name):
                    for session in other.subscribers:
                        if session not in seen:
                            seen.add(session)
                            targets.append(session)
        if self._out_of_order and room:
            self._publish_swapped(channel, text, targets)
        else:
            self._fan_out(text, targets)
        seq = channel.seq
        self.feeds.publish(name, seq, str(frame.get("type", "message")), dumps(frame))
        self._free_if_idle(channel)
        return seq

    def _fan_out(self, text: str | bytes, targets: list[Session]) -> None:
        """Deliver ``text`` to ``targets``: one ``broadcast`` for every connection ready now.

        A session whose delivery is a plain push (no delivery bug) and whose
        outbox would write at once joins the batch; the others (queued frames
        pending, slow socket, delivery bugs) go through ``Session.deliver``, so
        each connection still receives its frames in order.
        """
        direct: list[ServerConnection] = []
        for session in targets:
            outbox = session.outbox
            if session.open and session.plain and outbox.writable_now():
                direct.append(session.ws)
                outbox.sent += 1
            else:
                session.deliver(text)
        if direct:
            broadcast(direct, text)
        self.delivered += len(targets)

    def _publish_swapped(
        self, channel: Channel, text: str | bytes, targets: list[Session]
    ) -> None:
        if channel.held is not None:
            self._fan_out(text, targets)
            self._release(channel)
            return
        if channel.seq % 3 == 0:
            channel.held = (text, targets)
            loop = asyncio.get_running_loop()
            channel.held_timer = loop.call_later(OUT_OF_ORDER_FLUSH, self._release, channel)
            return
        self._fan_out(text, targets)

    def _release(self, channel: Channel) -> None:
        if channel.held_timer is not None:
            channel.held_timer.cancel()
            channel.held_timer = None
        held, channel.held = channel.held, None
        if held is not None:
            self._fan_out(*held)
        self._free_if_idle(channel)

    def close(self) -> None:
        """Server stop: no more deliveries, queued frames dropped, timers cancelled."""
        self.stopping = True
        self.feeds.close()
        for session in self.sessions:
            session.outbox.close()
        for channel in self.channels.values():
            if channel.held_timer is not None:
                channel.held_timer.cancel()
                channel.held_timer = None

    # -- metrics ---------------------------------------------------------
    def metrics(self) -> dict[str, int]:
        """Counts for ``GET /metrics``."""
        return {
            "connections": len(self.sessions),
            "subscriptions": sum(len(c.subscribers) for c in self.channels.values()),
            "channels": len(self.channels),
            "channels_subscribed": sum(1 for c in self.channels.values() if c.subscribers),
            "history_frames": self.history.frames,
            "history_bytes": self.history.bytes,
            "queued_messages": sum(len(s.outbox) for s in self.sessions),
            "messages_published": self.published,
            "deliveries": self.delivered,
        }
