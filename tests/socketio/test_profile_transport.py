"""The profile keys ``[profile] transport`` and ``engineio_path``, and ``[auth] mode = "auth"``."""

from __future__ import annotations

from typing import Any

import pytest

from wsbdd.core.exceptions import ProfileError
from wsbdd.core.profiles import load_profile, parse_profile


def profile(head: dict[str, Any], auth: dict[str, Any] | None = None) -> Any:
    data: dict[str, Any] = {"profile": head}
    if auth is not None:
        data["auth"] = auth
    return parse_profile(data, "p.toml")


def test_the_transport_defaults_to_websocket_and_query_auth() -> None:
    p = profile({})
    assert (p.transport, p.auth.mode, p.engineio_path) == ("websocket", "query", None)


def test_a_socketio_profile_puts_the_token_in_the_auth_payload_by_default() -> None:
    p = profile({"transport": "socketio", "engineio_path": "/rt/"})
    assert (p.transport, p.auth.mode, p.engineio_path) == ("socketio", "auth", "/rt/")
    assert profile({"transport": "socketio"}, {"param": "jwt"}).auth.mode == "auth"
    assert profile({"transport": "socketio"}, {"mode": "query"}).auth.mode == "query"


@pytest.mark.parametrize(
    ("head", "auth", "key", "says"),
    [
        ({"transport": "mqtt"}, None, "profile.transport", '"mqtt" is not a transport'),
        ({"engineio_path": "/x/"}, None, "profile.engineio_path", "needs transport"),
        ({"transport": "socketio", "engineio_path": "x"}, None, "profile.engineio_path", "/"),
        ({}, {"mode": "auth"}, "auth.mode", 'needs transport = "socketio"'),
    ],
)
def test_mistakes_name_the_key(
    head: dict[str, Any], auth: dict[str, Any] | None, key: str, says: str
) -> None:
    with pytest.raises(ProfileError) as caught:
        profile(head, auth)
    assert caught.value.key == key
    assert says in str(caught.value)


def test_the_builtin_socketio_chat_profile() -> None:
    p = load_profile("socketio-chat")
    assert p.transport == "socketio"
    assert p.subscribe is not None and p.subscribe.send.value == ["join", {"room": "${channel}"}]
