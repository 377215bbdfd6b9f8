"""SIGTERM under load: stop accepting, 1001 to every client, exit within 5 s, quiet stderr.

The server runs as a subprocess (``python -m wsbdd.server``) so the real
signal path is exercised. Subscribers are raw sockets that read in big
chunks without parsing (cheap enough to keep up with a high fan-out); the
close frame the server sends last is recognised at the tail of the stream.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from wsref_helpers import RawClient, client, close_code, closed, run

from wsbdd.server import ReferenceServer, ServerOptions

SUBSCRIBERS = 300
PUBLISHERS = 4
CLOSE_1001 = b"\x88\x0c\x03\xe9going away"
"""The server's close frame: unmasked, 12-byte payload, code 1001, reason "going away"."""


def masked_text(text: str) -> bytes:
    """A client text frame with a zero mask key."""
    data = text.encode()
    if len(data) < 126:
        head = bytes([0x81, 0x80 | len(data)])
    else:
        head = bytes([0x81, 0x80 | 126]) + struct.pack("!H", len(data))
    return head + b"\x00\x00\x00\x00" + data


MASKED_CLOSE = bytes([0x88, 0x82]) + b"\x00\x00\x00\x00" + struct.pack("!H", 1000)


async def open_raw(port: int, user: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET /ws?token={user}-token HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer


class Subscriber:
    """Reads everything, answers the server's close, remembers how the stream ended."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.tail = b""
        self.received = 0
        self.got_1001 = False

    async def subscribed(self, channel: str) -> None:
        self.writer.write(masked_text(f'{{"type":"subscribe","channel":"{channel}"}}'))
        seen = b""
        while b'"subscribed"' not in seen:
            chunk = await asyncio.wait_for(self.reader.read(65536), 10)
            assert chunk, "closed before subscribed"
            seen += chunk

    async def drain(self) -> None:
        with_close = False
        while chunk := await self.reader.read(1 << 16):
            self.received += len(chunk)
            self.tail = (self.tail + chunk)[-64:]
            if not with_close and self.tail.endswith(CLOSE_1001):
                with_close = self.got_1001 = True
                self.writer.write(MASKED_CLOSE)
        self.writer.close()


async def flood(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    batch = b"".join(
        masked_text(f'{{"type":"message","channel":"room:load","text":"m{i}"}}') for i in range(200)
    )
    try:
        while not stop.is_set():
            writer.write(batch)
            await writer.drain()
    except (ConnectionError, OSError):
        pass


@dataclass
class Outcome:
    """What a SIGTERM under load produced."""

    exited_after: float
    returncode: int | None
    subscribers: list[Subscriber]
    stderr: list[str]
    refused_while_stopping: bool | None


def sigterm_under_load(cut_subscribers: bool = False) -> Outcome:
    """300 subscribers, 4 flooding publishers, then SIGTERM; how the server ended.

    ``cut_subscribers``: once the fan-out is in full swing, half the
    subscribers vanish abruptly (TCP reset) while the flood goes on.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "wsbdd.server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    reader.start()
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        port = int(banner.split("http://127.0.0.1:")[1].split()[0])

        async def main() -> Outcome:
            subs = []
            for _ in range(SUBSCRIBERS):
                sub = Subscriber(*await open_raw(port, "bob"))
                await sub.subscribed("room:load")
                subs.append(sub)
            drains = {asyncio.create_task(s.drain()): s for s in subs}
            publishers = [await open_raw(port, "carol") for _ in range(PUBLISHERS)]
            stop = asyncio.Event()
            floods = [asyncio.create_task(flood(w, stop)) for _, w in publishers]
            loop = asyncio.get_running_loop()

            async def load(volume: int) -> None:
                until = sum(s.received for s in subs) + volume
                load_from = loop.time()
                while sum(s.received for s in subs) < until:
                    assert loop.time() - load_from < 30, "the load never built up"
                    await asyncio.sleep(0.05)

            await load(10_000_000)  # the fan-out is in full swing
            if cut_subscribers:
                for task, sub in list(drains.items())[: SUBSCRIBERS // 2]:
                    task.cancel()
                    sub.writer.transport.abort()
                    del drains[task]
                    subs.remove(sub)
                await load(5_000_000)
            signalled = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait(drains, timeout=15)
            refused: bool | None = None
            if proc.poll() is None:  # still closing the publishers: no new client
                try:
                    _, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
                    w.close()
                    refused = False
                except OSError:
                    refused = True
            with contextlib.suppress(subprocess.TimeoutExpired):
                await loop.run_in_executor(None, proc.wait, 10)
            exited = time.monotonic() - signalled if proc.poll() is not None else float("inf")
            stop.set()
            for _, w in publishers:
                w.transport.abort()
            await asyncio.gather(*floods)
            return Outcome(exited, proc.returncode, subs, lines, refused)

        outcome = run(main(), timeout=90)
        reader.join(2)
        return outcome
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def assert_clean_stop(outcome: Outcome) -> None:
    subs = outcome.subscribers
    missing = [i for i, s in enumerate(subs) if not s.got_1001]
    assert not missing, (
        f"{len(missing)} of {len(subs)} clients got no 1001 "
        f"(stream tails: {[subs[i].tail[-16:] for i in missing[:3]]})"
    )
    assert outcome.exited_after < 5.0, f"exited {outcome.exited_after:.1f} s after SIGTERM"
    assert outcome.returncode == 0, (outcome.returncode, outcome.stderr[-20:])
    assert outcome.refused_while_stopping is True, "accepted a connection while stopping"
    assert len(outcome.stderr) == 2, outcome.stderr[:20]
    assert "SIGTERM received" in outcome.stderr[0], outcome.stderr
    assert "stopped in" in outcome.stderr[1], outcome.stderr


def test_sigterm_under_load_sends_1001_to_all_and_exits_quietly_within_5_s() -> None:
    assert_clean_stop(sigterm_under_load())


def test_clients_vanishing_under_load_log_nothing_per_send() -> None:
    """Half the subscribers reset mid-flood: no "socket.send() raised exception." flood."""
    outcome = sigterm_under_load(cut_subscribers=True)
    assert_clean_stop(outcome)
    assert len(outcome.subscribers) == SUBSCRIBERS // 2


def test_stop_cuts_a_peer_that_never_answers_the_close_after_the_grace() -> None:
    async def main() -> None:
        server = ReferenceServer(ServerOptions(close_timeout=0.5))
        await server.start()
        mute = await RawClient.open(server.port)  # reads nothing, never answers the close
        assert (await mute.frame()) is not None  # the welcome
        polite = await client(server, "bob")
        loop = asyncio.get_running_loop()
        started = loop.time()
        report = await server.stop()
        took = loop.time() - started
        assert (report.connections, report.cut) == (2, 1), report
        assert 0.4 < took < 1.5, took
        assert await closed(polite) == (1001, "going away")
        frame = await mute.frame()
        assert frame is not None and frame[0] == 8 and close_code(frame[1]) == 1001, frame
        mute.close()

    run(main())
