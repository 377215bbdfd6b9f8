"""A recording :class:`~wsbdd.runtime.transport.TransportEvents` for the transport tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wsbdd.core.records import CloseInfo


@dataclass
class Recorder:
    """Keeps what a transport reported; :meth:`wait_until` waits for a condition."""

    messages: list[tuple[str | bytes, float, dict[str, Any]]] = field(default_factory=list)
    controls: list[tuple[str, float]] = field(default_factory=list)
    closes: list[CloseInfo] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def on_message(
        self, data: str | bytes, at: float, meta: Mapping[str, Any] | None = None
    ) -> None:
        self.messages.append((data, at, dict(meta or {})))
        self._changed.set()

    def on_control(self, kind: str, at: float, data: bytes = b"") -> None:
        self.controls.append((kind, at))
        self._changed.set()

    def on_closed(self, info: CloseInfo, details: Mapping[str, Any] | None = None) -> None:
        self.closes.append(info)
        self._changed.set()

    def on_error(self, text: str, at: float) -> None:
        self.errors.append(text)
        self._changed.set()

    def events(self, name: str) -> list[str | bytes]:
        """The data of every message that was the event ``name``."""
        return [data for data, _, meta in self.messages if meta.get("event") == name]

    async def wait_until(self, condition: Callable[[], bool], within: float = 3.0) -> None:
        """Return once ``condition()`` holds; AssertionError after ``within`` seconds."""
        async def watch() -> None:
            while not condition():
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(watch(), within)
        except TimeoutError:
            raise AssertionError(f"not reached within {within} s: {self}") from None

    async def until(self, done: Callable[[], bool], limit: float = 5.0) -> None:
        """Wait (bounded) until ``done()`` holds, woken by every report."""
        await self.wait_until(done, limit)

    async def messages_count(self, count: int, limit: float = 5.0) -> None:
        """Wait (bounded) until ``count`` messages were reported."""
        await self.until(lambda: len(self.messages) >= count, limit)

    async def closed(self, limit: float = 5.0) -> CloseInfo:
        """Wait (bounded) for the end of the connection; its close."""
        await self.until(lambda: bool(self.closes), limit)
        return self.closes[0]
