"""A bundled Socket.IO reference app (python-socketio, ASGI under uvicorn): a small chat.

Run it with ``python -m wsbdd.server.socketio_app [--port 0] [--ping-interval S]``;
its first stdout line is ``listening on ws://HOST:PORT http://HOST:PORT``
(the reference server's banner). ``tests/socketio/node_server/server.js``
does exactly the same on the reference Node implementation.

Namespaces ``/`` (anyone) and ``/chat`` (a known token required); any other
namespace is refused by the library. The token is read from the CONNECT auth
payload ``{"token": …}``, else the ``token`` query parameter, else an
``Authorization: Bearer`` header; an unknown token is refused everywhere with
``connect_error {"message": "invalid token"}``, a missing one on ``/chat``
with ``{"message": "unauthorized"}``. Users and tokens are the reference
server's (``wsbdd.server.auth``: alice-token, bob-token, carol-token).

Events (in both namespaces):

* ``join {"room"}`` enters a room, acks ``{"ok": true, "joined": room}``;
  ``leave {"room"}`` leaves it, acks ``{"ok": true}``;
* ``chat message {"text", "room"?}`` is sent to everyone in the room (the
  whole namespace without a room) as ``chat message {"text", "room", "from"}``;
  acks ``{"ok": true}``;
* ``echo …`` emits ``echo`` back with the same arguments and acks them;
* ``whoami`` acks ``{"user": name}`` (``null`` when anonymous);
* ``pair`` emits ``pair`` with two arguments, ``"left"`` and ``{"right": 2}``;
* ``burst {"count", "event"?}`` emits ``count`` events ``tick {"n": i}``;
* ``kick`` makes the server disconnect this client.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import os
import selectors
import subprocess
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

import socketio
import uvicorn

from .auth import UserTable, bearer_token

__all__ = ["AppProcess", "create_app", "main", "serve", "shared_app", "token_of"]

STARTUP_LIMIT = 20.0
"""Seconds the app subprocess may take to print its banner."""


def token_of(environ: Mapping[str, Any], auth: Any) -> str | None:
    """The client's token: auth payload, then ``?token=``, then a Bearer header."""
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return str(auth["token"])
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    if query.get("token"):
        return query["token"][0]
    return bearer_token(environ.get("HTTP_AUTHORIZATION"))


def create_app(
    users: Mapping[str, str] | None = None, *, ping_interval: float = 25.0
) -> socketio.ASGIApp:
    """The ASGI app (Engine.IO path ``/socket.io/``) and its event handlers."""
    table = UserTable.resolve(users)
    sio = socketio.AsyncServer(
        async_mode="asgi",
        cors_allowed_origins="*",
        ping_interval=ping_interval,
        ping_timeout=max(ping_interval, 5.0),
        max_http_buffer_size=64 * 2**20,
    )
    for namespace in ("/", "/chat"):
        _register(sio, namespace, table)
    return socketio.ASGIApp(sio, socketio_path="socket.io")


def _register(sio: socketio.AsyncServer, ns: str, table: UserTable) -> None:
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = token_of(environ, auth)
        user = table.user_for(token) if token is not None else None
        if token is not None and user is None:
            raise socketio.exceptions.ConnectionRefusedError("invalid token")
        if ns == "/chat" and user is None:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        await sio.save_session(sid, {"user": user}, namespace=ns)

    async def user_of(sid: str) -> str | None:
        session = await sio.get_session(sid, namespace=ns)
        user = session.get("user")
        return str(user) if user is not None else None

    async def join(sid: str, data: Any = None) -> dict[str, Any]:
        room = str((data or {}).get("room", ""))
        await sio.enter_room(sid, room, namespace=ns)
        return {"ok": True, "joined": room}

    async def leave(sid: str, data: Any = None) -> dict[str, Any]:
        await sio.leave_room(sid, str((data or {}).get("room", "")), namespace=ns)
        return {"ok": True}

    async def chat_message(sid: str, data: Any = None) -> dict[str, Any]:
        body = dict(data) if isinstance(data, dict) else {"text": data}
        room = body.get("room")
        body["from"] = await user_of(sid)
        await sio.emit("chat message", body, to=str(room) if room else None, namespace=ns)
        return {"ok": True}

    async def echo(sid: str, *args: Any) -> tuple[Any, ...]:
        await sio.emit("echo", args, to=sid, namespace=ns)
        return args

    async def whoami(sid: str, *_args: Any) -> dict[str, Any]:
        return {"user": await user_of(sid)}

    async def pair(sid: str, *_args: Any) -> None:
        await sio.emit("pair", ("left", {"right": 2}), to=sid, namespace=ns)

    async def burst(sid: str, data: Any = None) -> None:
        count = int((data or {}).get("count", 1))
        for n in range(count):
            await sio.emit("tick", {"n": n}, to=sid, namespace=ns)

    async def kick(sid: str, *_args: Any) -> None:
        await sio.disconnect(sid, namespace=ns)

    handlers = {
        "connect": connect,
        "join": join,
        "leave": leave,
        "chat message": chat_message,
        "echo": echo,
        "whoami": whoami,
        "pair": pair,
        "burst": burst,
        "kick": kick,
    }
    for event, handler in handlers.items():
        sio.on(event, handler, namespace=ns)


async def serve(host: str, port: int, ping_interval: float) -> None:
    """Serve until cancelled, printing the banner once the socket is bound."""
    config = uvicorn.Config(
        create_app(ping_interval=ping_interval),
        host=host,
        port=port,
        log_level="warning",
        lifespan="off",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            return
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    print(f"listening on ws://{host}:{bound} http://{host}:{bound}", flush=True)
    await task


class AppProcess:
    """The app as a subprocess on a free port of 127.0.0.1 (started by :meth:`start`)."""

    def __init__(self, ping_interval: float = 25.0) -> None:
        self.ping_interval = ping_interval
        self.ws_url: str | None = None
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> str:
        """Start it and wait (bounded) for its banner; its ``ws://`` URL."""
        argv = [sys.executable, "-m", "wsbdd.server.socketio_app", "--port", "0",
                "--ping-interval", str(self.ping_interval)]
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._proc = proc
        assert proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=STARTUP_LIMIT)
        line = proc.stdout.readline().strip() if ready else ""
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(
                f"the Socket.IO reference app did not start within {STARTUP_LIMIT:g} s: {line!r}"
            )
        self.ws_url = line.split()[2]
        return self.ws_url

    def stop(self) -> None:
        """Terminate it (killed after 5 s)."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


_SHARED: AppProcess | None = None


def shared_app() -> AppProcess:
    """The run's one app process, started on first use and stopped when the process exits."""
    global _SHARED
    if _SHARED is None or _SHARED._proc is None or _SHARED._proc.poll() is not None:
        app = AppProcess()
        app.start()
        atexit.register(app.stop)
        _SHARED = app
    return _SHARED


def main(argv: list[str] | None = None) -> int:
    """``python -m wsbdd.server.socketio_app``: serve the app (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m wsbdd.server.socketio_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ping-interval", type=float, default=25.0)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.ping_interval))
    return 0


if __name__ == "__main__":
    sys.exit(main())
