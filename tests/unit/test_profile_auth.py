"""Where the profile's ``[auth]`` puts a token in the connection request (no server needed)."""

from __future__ import annotations

import textwrap
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

from wsbdd.config import Settings
from wsbdd.core.exceptions import ProfileError
from wsbdd.core.profiles import AuthSpec
from wsbdd.core.profiles.loader import parse_profile
from wsbdd.core.profiles.model import AuthMode
from wsbdd.run import RunContext
from wsbdd.runtime import Clients
from wsbdd.runtime.http import HttpTrigger
from wsbdd.session.auth_modes import (
    AUTH_STRATEGIES,
    CookieAuth,
    HandshakeDraft,
    MessageAuth,
    strategy_for,
)
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


# -- one strategy per mode; cookie --------------------------------------------


def test_every_profile_mode_has_exactly_one_strategy() -> None:
    assert set(AUTH_STRATEGIES) == set(typing.get_args(AuthMode))
    assert [s.mode for s in AUTH_STRATEGIES.values() if s.by_message] == ["message"]
    assert isinstance(strategy_for(AuthSpec(mode="message")), MessageAuth)


def test_the_profile_loader_accepts_cookie_and_names_it_among_the_modes() -> None:
    profile = parse_profile({"auth": {"mode": "cookie", "param": "sid"}}, "p.toml")
    assert profile.auth.mode == "cookie" and profile.auth.param == "sid"
    with pytest.raises(ProfileError, match=r"is not one of .*message, cookie"):
        parse_profile({"auth": {"mode": "kerberos"}}, "p.toml")


def test_cookie_mode_puts_the_token_in_a_cookie_header_of_the_handshake(
    run: RunContext, tmp_path: Path
) -> None:
    session = session_with(run, tmp_path, '[auth]\nmode = "cookie"\nparam = "sid"\n')
    request = session.connections.build_request(ConnectSpec(identity="alice"))
    assert request.url == "ws://127.0.0.1:9/ws"  # not in the query
    assert request.headers == (("Cookie", "sid=alice-token"),)
    assert "alice-token" in request.secrets


def test_cookie_mode_keeps_the_cookies_a_step_already_sends(
    run: RunContext, tmp_path: Path
) -> None:
    session = session_with(run, tmp_path, '[auth]\nmode = "cookie"\n')
    spec = ConnectSpec(token="t-9", headers=(("cookie", "theme=dark"),))
    request = session.connections.build_request(spec)
    assert request.headers == (("cookie", "theme=dark; token=t-9"),)


def test_cookie_strategy_on_a_bare_draft() -> None:
    draft = HandshakeDraft(url="ws://h/ws", headers=[("Cookie", "")])
    CookieAuth().place(draft, AuthSpec(mode="cookie", param="k"), "v", lambda t: t)
    assert draft.headers == [("Cookie", "k=v")] and draft.url == "ws://h/ws"
