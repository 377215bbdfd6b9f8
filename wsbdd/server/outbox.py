"""Per-connection outgoing queue: bounded, never blocks the broadcaster.

``Outbox.push`` is synchronous. When nothing is waiting and the socket's write
buffer is below the high-water mark, the frame is written at once (as
``websockets.broadcast`` does); otherwise it is appended to a bounded queue that
the connection's own writer task drains with ``await ws.send``. A slow socket
therefore only ever blocks its own writer. When the queue is full the
``on_overflow`` callback runs (the server closes the connection with 1013).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

__all__ = ["Outbox"]


class Outbox:
    """Bounded outgoing queue of one connection plus its writer task."""

    def __init__(
        self,
        ws: ServerConnection,
        limit: int,
        on_overflow: Callable[[], None],
        high_water: int = 2**15,
    ) -> None:
        self._ws = ws
        self.limit = limit
        self._on_overflow = on_overflow
        self._high_water = high_water
        self._pending: deque[str | bytes] = deque()
        self._wakeup = asyncio.Event()
        self._sending = False
        self.closed = False
        self.sent = 0

    def __len__(self) -> int:
        return len(self._pending)

    def writable_now(self) -> bool:
        """True when a frame pushed now would be written at once, not queued.

        That is: the outbox is not closed, nothing is queued or being sent, the
        connection is OPEN and its write buffer is below the high-water mark.
        A caller that writes the frame itself (``Hub`` fans out with one
        ``broadcast`` over many connections) must count it in ``sent``.
        """
        ws = self._ws
        return (
            not self.closed
            and not self._pending
            and not self._sending
            and self.connected()
            and ws.transport.get_write_buffer_size() < self._high_water
        )

    def connected(self) -> bool:
        """True while the connection is OPEN and its transport is not closing.

        A transport that was aborted or lost its peer is ``closing`` before
        websockets learns of it (``connection_lost`` runs on a later loop
        iteration): writing to it would only make asyncio log
        "socket.send() raised exception." once per frame.
        """
        ws = self._ws
        return ws.protocol.state is State.OPEN and not ws.transport.is_closing()

    def push(self, text: str | bytes) -> bool:
        """Queue (or write at once) one text frame; False when dropped or overflowing."""
        if self.writable_now():
            broadcast((self._ws,), text)
            self.sent += 1
            return True
        if self.closed or not self.connected():
            return False
        if self.limit and len(self._pending) >= self.limit:
            self.close()
            self._on_overflow()
            return False
        self._pending.append(text)
        self._wakeup.set()
        return True

    def close(self) -> None:
        """Stop accepting frames and forget the queued ones."""
        self.closed = True
        self._pending.clear()
        self._wakeup.set()

    async def run(self) -> None:
        """Writer task: drain the queue in order until the connection or outbox closes."""
        with contextlib.suppress(ConnectionClosed):
            while not self.closed and self.connected():
                if not self._pending:
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                text = self._pending.popleft()
                self._sending = True
                try:
                    await self._ws.send(text)
                    self.sent += 1
                finally:
                    self._sending = False
