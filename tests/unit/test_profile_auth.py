"""Where the profile's ``[auth]`` puts a token in the connection request (no server needed)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from wsbdd.config import Settings
from wsbdd.run import RunContext
from wsbdd.runtime import Clients
from wsbdd.runtime.http import HttpTrigger
from wsbdd.session.connections import ConnectSpec
from wsbdd.session.scenario import ScenarioSession


@pytest.fixture(scope="module")
def run() -> Iterator[RunContext]:
    settings = Settings(
        env_name="unit",
        env_file=None,
        values={},
        server_mode="none",
        ws_url="ws://127.0.0.1:9/ws",
        tokens={"alice": "alice-token"},
    )
    context = RunContext(settings)
    context.clients = Clients()
    context.http = HttpTrigger(None, timeout=1.0)
    try:
        yield context
    finally:
        context.clients.shutdown()
        context.http.close()


def session_with(run: RunContext, tmp_path: Path, auth: str) -> ScenarioSession:
    path = tmp_path / "p.toml"
    path.write_text('extends = "chat"\n' + textwrap.dedent(auth))
    session = ScenarioSession(run)
    session.use_profile(str(path))
    return session


def test_query_mode_adds_the_parameter(run: RunContext, tmp_path: Path) -> None:
    session = session_with(run, tmp_path, '[auth]\nmode = "query"\nparam = "access_token"\n')
    request = session.connections.build_request(ConnectSpec(target="/ws?x=1", identity="alice"))
    assert request.url == "ws://127.0.0.1:9/ws?x=1&access_token=alice-token"
    assert request.identity == "alice"
    assert "alice-token" in request.secrets


def test_header_mode_adds_the_header_from_its_template(run: RunContext, tmp_path: Path) -> None:
    session = session_with(
        run, tmp_path, '[auth]\nmode = "header"\nheader = "X-Auth"\nvalue = "${user}:${token}"\n'
    )
    request = session.connections.build_request(ConnectSpec(identity="alice"))
    assert request.url == "ws://127.0.0.1:9/ws"
    assert ("X-Auth", "alice:alice-token") in request.headers


def test_subprotocol_mode_offers_the_token_after_the_profiles_subprotocols(
    run: RunContext, tmp_path: Path
) -> None:
    session = session_with(
        run,
        tmp_path,
        '[profile]\nsubprotocols = ["chat.v1"]\n[auth]\nmode = "subprotocol"\n'
        'value = "token.${token}"\n',
    )
    request = session.connections.build_request(ConnectSpec(token="t-1"))
    assert request.subprotocols == ("chat.v1", "token.t-1")


def test_message_mode_and_no_token_leave_the_handshake_alone(
    run: RunContext, tmp_path: Path
) -> None:
    session = session_with(
        run, tmp_path, '[auth]\nmode = "message"\nmessage = { type = "auth", token = "${token}" }\n'
    )
    request = session.connections.build_request(ConnectSpec(identity="alice"))
    assert request.url == "ws://127.0.0.1:9/ws"
    assert request.headers == () and request.subprotocols == ()
    chat = ScenarioSession(run)
    chat.use_profile("chat")
    assert chat.connections.build_request(ConnectSpec(no_token=True)).url == "ws://127.0.0.1:9/ws"
