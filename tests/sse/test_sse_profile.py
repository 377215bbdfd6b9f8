"""``[profile] transport``: websocket (default), sse or socketio; anything else names the key."""

from __future__ import annotations

import pytest

from wsbdd.core.exceptions import ProfileError
from wsbdd.core.profiles.loader import parse_profile


def test_a_profile_says_its_transport_and_websocket_is_the_default() -> None:
    assert parse_profile({"profile": {"name": "p"}}, "p.toml").transport == "websocket"
    sse = parse_profile({"profile": {"name": "feed", "transport": "sse"}}, "feed.toml")
    assert sse.transport == "sse"


def test_an_unknown_transport_is_a_profile_error_naming_file_key_and_choices() -> None:
    with pytest.raises(ProfileError) as error:
        parse_profile({"profile": {"name": "p", "transport": "grpc"}}, "p.toml")
    text = str(error.value)
    assert 'p.toml: profile.transport: "grpc" is not a transport' in text
    assert "websocket, sse, socketio" in text
