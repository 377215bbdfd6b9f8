"""Bounded channel history (for resume) and the seq memory of freed channels.

Pure bookkeeping, no I/O. A frame is kept while it is among the last
``per_channel`` frames of its channel **and** among the last ``total_frames``
frames published on the server **and** the kept frames take at most
``total_bytes`` bytes of JSON text; the oldest frames go first. So the memory
history holds is bounded whatever the number of channels.

A channel the hub frees (no subscriber, nothing kept) loses its counters;
``SeqMemory`` makes sure a channel created again under the same name never
reuses a seq a client may already have seen, so a resume after the channel
was freed answers ``recovered: false`` instead of a false ``true``.
"""

from __future__ import annotations

from collections import OrderedDict, deque

__all__ = [
    "DEFAULT_HISTORY_BYTES",
    "DEFAULT_HISTORY_TOTAL",
    "RETIRED_LIMIT",
    "History",
    "SeqMemory",
]

DEFAULT_HISTORY_TOTAL = 10_000
"""Frames kept for resume across all channels (``--history-total``)."""

DEFAULT_HISTORY_BYTES = 16 * 1024 * 1024
"""Bytes of JSON text kept for resume across all channels (``--history-bytes``)."""

RETIRED_LIMIT = 10_000
"""Freed channels whose last seq is remembered by name (older ones share a floor)."""


class History:
    """The kept frames of every channel, bounded per channel and in total."""

    def __init__(self, per_channel: int, total_frames: int, total_bytes: int) -> None:
        self.per_channel = per_channel
        self.total_frames = total_frames
        self.total_bytes = total_bytes
        self._kept: dict[str, deque[tuple[int, str | bytes, int]]] = {}
        # publication order of kept frames; entries of frames already dropped
        # by their channel's own limit are skipped when they come up
        self._order: deque[tuple[str, int]] = deque()
        self.frames = 0
        self.bytes = 0

    def __contains__(self, channel: str) -> bool:
        """True when ``channel`` has at least one kept frame."""
        return channel in self._kept

    def keep(self, channel: str, seq: int, text: str | bytes) -> list[str]:
        """Keep frame ``seq`` of ``channel``; the other channels left with no frame at all."""
        if not (self.per_channel and self.total_frames and self.total_bytes):
            return []
        size = len(text.encode()) if isinstance(text, str) else len(text)
        if size > self.total_bytes:
            # too big to keep: the older frames would replay with a gap, drop them too
            self.forget(channel)
            return []
        frames = self._kept.get(channel)
        if frames is None:
            frames = self._kept[channel] = deque()
        if len(frames) >= self.per_channel:
            self._drop_oldest(channel, frames)
        frames.append((seq, text, size))
        self.frames += 1
        self.bytes += size
        self._order.append((channel, seq))
        emptied: list[str] = []
        while len(self._order) > self.total_frames or self.bytes > self.total_bytes:
            name, oldest = self._order.popleft()
            kept = self._kept.get(name)
            if kept and kept[0][0] == oldest:
                self._drop_oldest(name, kept)
                if name not in self._kept and name != channel:
                    emptied.append(name)
        return emptied

    def _drop_oldest(self, channel: str, frames: deque[tuple[int, str | bytes, int]]) -> None:
        _, _, size = frames.popleft()
        self.frames -= 1
        self.bytes -= size
        if not frames:
            del self._kept[channel]

    def since(
        self, channel: str, last_seq: int, since: int
    ) -> tuple[list[str | bytes], bool]:
        """Frames of ``channel`` after ``since`` still kept, and whether none is missing.

        ``last_seq`` is the channel's current seq.
        """
        if since >= last_seq:
            return [], True
        frames = self._kept.get(channel, ())
        oldest = frames[0][0] if frames else last_seq + 1
        return [text for seq, text, _ in frames if seq > since], oldest <= since + 1

    def forget(self, channel: str) -> None:
        """Drop every kept frame of ``channel``."""
        frames = self._kept.pop(channel, None)
        if frames:
            self.frames -= len(frames)
            self.bytes -= sum(size for _, _, size in frames)


class SeqMemory:
    """The last seq of freed channels, so a channel created again continues above it.

    The last ``limit`` freed channels are remembered by the hash of their
    name (a few dozen bytes each, however long the name); a channel freed
    before them is covered by ``floor``, the number of frames published when
    its memory was dropped (no channel's seq can exceed that number). Two
    names with the same hash share the higher seq: a channel may then start
    above its own last seq, never below it.
    """

    def __init__(self, limit: int = RETIRED_LIMIT) -> None:
        self.limit = limit
        self._last: OrderedDict[int, int] = OrderedDict()
        self.floor = 0

    def __len__(self) -> int:
        return len(self._last)

    def retire(self, channel: str, seq: int, published: int) -> None:
        """Remember that ``channel`` was freed at ``seq`` (``published`` frames so far)."""
        if seq <= self.floor:
            return
        key = hash(channel)
        self._last[key] = max(seq, self._last.get(key, 0))
        self._last.move_to_end(key)
        while len(self._last) > self.limit:
            self._last.popitem(last=False)
            self.floor = max(self.floor, published)

    def start(self, channel: str) -> int:
        """The seq a channel called ``channel`` starts from when it is created."""
        return max(self._last.get(hash(channel), 0), self.floor)
