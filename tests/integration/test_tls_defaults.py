"""Connections to ``wss://`` and ``https://`` share one default TLS context.

Loading the CA store costs about 30 ms of CPU; asyncio made it again for every
``wss://`` connection and httpx for every SSE stream, so a crowd of 1,000
spent 30 s of CPU before sending a byte. ``SSL_CERT_FILE`` points the
default trust store at a private CA here, the way a user trusts a corporate
CA, so the default context is the one that verifies the server. A CA file
(``WSBDD_CA_FILE``) is loaded once too, while it stays the same on disk.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixture_servers import ServerThread, echo
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from tests.http.http_app import serving_in_thread
from tests.tls_files import private_ca, server_context
from tests.transport_recorder import Recorder
from wsbdd.core.records import ConnectOutcome
from wsbdd.runtime import ClientManager, Clients, ConnectRequest
from wsbdd.runtime.crowd import Crowd
from wsbdd.runtime.tls import forget_defaults
from wsbdd.runtime.transports.sse import SseStream

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture
def ca(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """A private CA and a server certificate for 127.0.0.1; no TLS context made yet."""
    files = private_ca(tmp_path)
    forget_defaults()
    yield files
    forget_defaults()  # the next test's contexts are made afresh, from the system's CAs


@pytest.fixture
def trusted(ca: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The private CA, trusted by the default trust store (``SSL_CERT_FILE``)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(ca["ca.crt"]))
    return ca


@pytest.fixture
def contexts_made(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every ``ssl.create_default_context`` call from now on (asyncio's, httpx's, ours)."""
    made: list[Any] = []
    real = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    return made


def test_wss_clients_and_crowd_members_load_the_trust_store_once(
    trusted: dict[str, Path],
    contexts_made: list[Any],
    servers: ServerThread,
    clients: Clients,
) -> None:
    srv = servers.websocket(echo, ssl=server_context(trusted))
    url = srv.url.replace("ws://", "wss://")
    for name in "ABC":
        result = clients.connect(name, ConnectRequest(url))
        assert result.outcome is ConnectOutcome.OPEN, result
    crowd = Crowd(ConnectRequest(url, open_timeout=5.0), 20, concurrency=10)

    async def open_crowd(manager: ClientManager) -> tuple[int, int]:
        manager.add_crowd(crowd)
        report = await crowd.open()
        return report.attempted, report.failed

    assert clients.run(open_crowd, 30.0) == (20, 0)
    assert all(member.connected for member in crowd.members)
    assert len(contexts_made) == 1, f"{len(contexts_made)} TLS contexts for 23 connections"


def test_a_ca_file_is_loaded_once_while_it_stays_the_same(
    ca: dict[str, Path], contexts_made: list[Any], servers: ServerThread, clients: Clients
) -> None:
    srv = servers.websocket(echo, ssl=server_context(ca))
    request = ConnectRequest(srv.url.replace("ws://", "wss://"), ca_file=ca["ca.crt"])
    for name in "AB":
        assert clients.connect(name, request).outcome is ConnectOutcome.OPEN
    crowd = Crowd(request, 10, concurrency=5)

    async def open_crowd(manager: ClientManager) -> int:
        manager.add_crowd(crowd)
        return (await crowd.open()).failed

    assert clients.run(open_crowd, 30.0) == 0
    assert len(contexts_made) == 1, f"{len(contexts_made)} TLS contexts for one CA file"
    # The file replaced on disk (a renewed CA): the next connection loads it again.
    renewed = ca["ca.crt"].read_text() + "\n"
    ca["ca.crt"].write_text(renewed)
    assert clients.connect("C", request).outcome is ConnectOutcome.OPEN
    assert len(contexts_made) == 2


async def _ticker(request: Request) -> EventSourceResponse:
    async def events() -> Any:
        yield ServerSentEvent(data="1", event="price", id="1")

    return EventSourceResponse(events(), ping=60)


def test_https_event_streams_load_the_trust_store_once(
    trusted: dict[str, Path], contexts_made: list[Any]
) -> None:
    app = Starlette(routes=[Route("/ticker", _ticker)])

    async def two_streams(base: str) -> list[str]:
        prices = []
        for _ in range(2):
            events = Recorder()
            assert (await SseStream(f"{base}/ticker").open(events)).opened
            await events.closed()
            prices += [message[0] for message in events.messages]
        return prices

    with serving_in_thread(ssl_context=server_context(trusted), app=app) as base:
        prices = asyncio.run(two_streams(base.replace("http://", "https://")))
    assert prices == ["1", "1"]
    assert len(contexts_made) == 1, f"{len(contexts_made)} TLS contexts for 2 streams"
