"""Serve ``tests.graphql.app`` with uvicorn on 127.0.0.1, on a free port.

``python -m tests.graphql.serve`` binds a socket on port 0, prints exactly one
flushed line ``graphql listening on ws://127.0.0.1:PORT/graphql`` and serves
until SIGTERM.
"""

from __future__ import annotations

import socket

import uvicorn

from tests.graphql.app import app


def main() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, ws="websockets-sansio", log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    print(f"graphql listening on ws://127.0.0.1:{port}/graphql", flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
