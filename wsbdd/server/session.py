"""``Session``: the server-side state of one authenticated WebSocket connection."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import ServerConnection

from .jsonframes import dumps
from .outbox import Outbox

__all__ = ["SILENT_DROP_AFTER", "SLOW_PUSH_DELAY", "Session", "dumps"]

SILENT_DROP_AFTER = 5
SLOW_PUSH_DELAY = 0.3
LEAK_BYTES = 50 * 1024

_ids = itertools.count(1)


class Session:
    """One connection of one user: its outbox, subscriptions and bug switches."""

    def __init__(
        self,
        user: str,
        ws: ServerConnection,
        *,
        queue_limit: int,
        bugs: frozenset[str],
        encode: Callable[[dict[str, Any]], str | bytes] = dumps,
    ) -> None:
        self.id = next(_ids)
        self.encode = encode
        self.user = user
        self.ws = ws
        self.subscriptions: set[str] = set()
        self.deliveries = 0  # silent_drop's count (a plain session's batched fan-out skips it)
        self.open = True
        self.outbox = Outbox(ws, 0 if "no_backpressure" in bugs else queue_limit, self._overflow)
        self._tasks: set[asyncio.Task[None]] = set()
        # the bug switches a delivery consults, resolved once
        self._slow_push = "slow_push" in bugs
        self._silent_drop = "silent_drop" in bugs
        self.plain = not (self._slow_push or self._silent_drop)
        """True when a delivery is a plain outbox push (no delivery bug switched on)."""
        # leak_on_disconnect: per-connection state worth measuring (pages touched).
        self.ballast = b"\xa5" * LEAK_BYTES if "leak_on_disconnect" in bugs else b""

    def __hash__(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return f"<Session {self.id} {self.user}>"

    def reply(self, frame: dict[str, Any]) -> None:
        """Send a direct answer (welcome, subscribed, pong, error) in order."""
        self.outbox.push(self.encode(frame))

    def deliver(self, text: str | bytes) -> None:
        """Push one channel delivery (message, order.*, presence) to this connection."""
        if not self.open:
            return
        if self._slow_push:
            asyncio.get_running_loop().call_later(SLOW_PUSH_DELAY, self._deliver_now, text)
        else:
            self._deliver_now(text)

    def _deliver_now(self, text: str | bytes) -> None:
        if not self.open:
            return
        if self._silent_drop and self.deliveries >= SILENT_DROP_AFTER:
            self.open = False
            self.outbox.close()
            self.ws.transport.abort()
            return
        self.deliveries += 1
        self.outbox.push(text)

    def _overflow(self) -> None:
        self.spawn(self.ws.close(1013, "slow consumer"))

    def spawn(self, coro: Any) -> None:
        """Run ``coro`` in a task kept alive until it finishes."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
