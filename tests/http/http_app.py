"""A small real HTTP API (Starlette under uvicorn in a thread, port 0) for the HTTP tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route


async def pub(request: Request) -> Response:
    """JSON only for ``Accept: application/json``; a POSTed text is queued."""
    if request.method == "POST":
        text = (await request.body()).decode()
        kind = request.headers.get("content-type", "")
        return PlainTextResponse(
            f"queued messages: 1 ({text}; {kind})",
            status_code=201,
            headers={"Location": f"/orders/{uuid.uuid4()}"},
        )
    if request.headers.get("accept") == "application/json":
        return JSONResponse({"accept": "json", "trace": request.headers.get("x-trace")})
    return PlainTextResponse("plain answer")


async def form(request: Request) -> Response:
    """Echoes the raw body and its content type (a form is sent as written)."""
    body = (await request.body()).decode()
    return JSONResponse({"body": body, "type": request.headers.get("content-type")})


async def login(request: Request) -> Response:
    response = JSONResponse({"ok": True})
    response.set_cookie("session", "s3cr3t-cookie", path="/")
    return response


async def whoami(request: Request) -> Response:
    return JSONResponse({"session": request.cookies.get("session")})


async def events(request: Request) -> Response:
    async def stream() -> AsyncIterator[bytes]:
        while True:
            yield b"data: tick\n\n"
            await asyncio.sleep(0.05)

    return StreamingResponse(stream(), media_type="text/event-stream")


async def trickle(request: Request) -> Response:
    async def stream() -> AsyncIterator[bytes]:
        while True:
            yield b"."
            await asyncio.sleep(0.05)

    return StreamingResponse(stream(), media_type="text/plain")


APP = Starlette(
    routes=[
        Route("/pub/{name}", pub, methods=["GET", "POST"]),
        Route("/form", form, methods=["POST"]),
        Route("/login", login),
        Route("/whoami", whoami),
        Route("/events", events),
        Route("/trickle", trickle),
    ]
)


@contextlib.contextmanager
def serving_in_thread(
    ssl_context: ssl.SSLContext | None = None, app: Any = APP
) -> Iterator[str]:
    """``app`` under uvicorn in a thread (TLS with ``ssl_context``); yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    if ssl_context is not None:
        config.load()
        config.ssl = ssl_context  # uvicorn serves TLS with the context it is given
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: server.run(sockets=[sock]), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        thread.join(5)
        sock.close()
