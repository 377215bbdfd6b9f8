"""Start the two Socket.IO reference servers (python-socketio under uvicorn, Node socket.io).

Both print ``listening on ws://HOST:PORT http://HOST:PORT`` once bound to a
free port on 127.0.0.1; :func:`start` waits for that line (bounded) and
returns the running server. :func:`silent_server` is a WebSocket server that
accepts the upgrade on the Engine.IO path and never sends the open packet.
"""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NODE_SERVER = Path(__file__).with_name("node_server")
NODE_INSTALLED = (NODE_SERVER / "node_modules" / "socket.io").is_dir() and bool(
    shutil.which("node")
)
STARTUP_LIMIT = 20.0
KINDS = ("python", "node")


@dataclass
class RunningServer:
    """A server subprocess and where it listens."""

    kind: str
    process: subprocess.Popen[str]
    port: int

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:PORT`` (add a namespace path)."""
        return f"ws://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Terminate it (killed when it does not stop within 5 s)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def command(kind: str, ping_interval: float) -> list[str]:
    """The command line of one kind of server."""
    if kind == "python":
        return [
            sys.executable, "-m", "wsbdd.server.socketio_app",
            "--port", "0", "--ping-interval", str(ping_interval),
        ]
    return ["node", str(NODE_SERVER / "server.js"), "--port", "0",
            "--ping-interval", str(ping_interval)]


def start(kind: str, ping_interval: float = 25.0) -> RunningServer:
    """Start one server and wait (at most :data:`STARTUP_LIMIT`) for its banner."""
    process = subprocess.Popen(
        command(kind, ping_interval),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=STARTUP_LIMIT)
    line = process.stdout.readline().strip() if ready else ""
    if not line.startswith("listening on "):
        process.kill()
        process.wait(timeout=5)
        raise RuntimeError(f"the {kind} Socket.IO server did not start: {line!r}")
    return RunningServer(kind, process, int(line.rsplit(":", 1)[1]))


@contextmanager
def running(kind: str, ping_interval: float = 25.0) -> Iterator[RunningServer]:
    """:func:`start`, stopped on exit."""
    server = start(kind, ping_interval)
    try:
        yield server
    finally:
        server.stop()
