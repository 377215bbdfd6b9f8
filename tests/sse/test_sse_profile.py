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


# -- an SSE profile subscribes by stream and publishes over HTTP ---------------------------


def _sse(**tables: object) -> dict[str, object]:
    return {"profile": {"name": "feed", "transport": "sse"}, **tables}


def test_the_builtin_sse_chat_subscribes_by_stream_and_publishes_over_http() -> None:
    from wsbdd.core.profiles import load_profile

    profile = load_profile("chat-sse")
    assert profile.transport == "sse"
    assert profile.stream is not None and profile.stream.value == "/sse/${channel}"
    assert profile.subscribe is None
    assert profile.publish is not None and profile.publish.http is not None
    assert profile.publish.http.method == "POST"
    assert profile.publish.http.path.value == "/channels/${channel}/messages"


def test_an_http_publish_defaults_to_post_and_keeps_its_header_templates() -> None:
    profile = parse_profile(
        _sse(
            subscribe={"path": "/events/${channel}"},
            publish={
                "path": "/publish",
                "send": {"topic": "${channel}", "data": "${text}"},
                "headers": {"X-Api-Key": "${token}"},
                "ack": {"ok": True},
            },
        ),
        "feed.toml",
    )
    assert profile.publish is not None and profile.publish.http is not None
    assert profile.publish.http.method == "POST"
    assert profile.publish.http.headers is not None
    assert profile.publish.http.headers.value == {"X-Api-Key": "${token}"}
    assert profile.publish.ack is not None


def test_a_websocket_profile_may_publish_over_http_too() -> None:
    profile = parse_profile(
        {"publish": {"method": "put", "path": "/rooms/${channel}", "send": {"t": "${text}"}}},
        "ws.toml",
    )
    assert profile.publish is not None and profile.publish.http is not None
    assert profile.publish.http.method == "PUT"


@pytest.mark.parametrize(
    ("data", "wanted"),
    [
        (
            _sse(subscribe={"send": {"type": "subscribe"}}),
            "feed.toml: subscribe.send: an SSE connection sends nothing: a subscription opens "
            "the event stream at path",
        ),
        (_sse(subscribe={}), "feed.toml: subscribe.path: is missing"),
        (
            _sse(subscribe={"path": "sse/${channel}"}),
            'feed.toml: subscribe.path: "sse/${channel}" must be a path starting with /',
        ),
        (
            {"subscribe": {"path": "/sse/${channel}"}},
            'p.toml: subscribe.path: is the event stream a subscription opens: it needs '
            'transport = "sse"',
        ),
        (
            _sse(publish={"send": {"text": "${text}"}}),
            "feed.toml: publish: an SSE connection sends nothing: publish over HTTP with path",
        ),
        (
            _sse(publish={"method": "POST", "send": {"text": "${text}"}}),
            "feed.toml: publish.path: is missing",
        ),
        (
            _sse(publish={"method": "SEND", "path": "/p", "send": {}}),
            'feed.toml: publish.method: "SEND" is not one of POST, PUT, PATCH, DELETE, GET',
        ),
        (
            _sse(publish={"path": "/p", "send": {}, "reject": {"error": "x"}}),
            "feed.toml: publish.reject: over HTTP a refusal is the response's status",
        ),
        (
            _sse(publish={"path": "/p", "send": {}, "headers": {"X-N": 1}}),
            "feed.toml: publish.headers: must be a table of header names and strings",
        ),
        (
            _sse(ping={"send": {"type": "ping"}}),
            "feed.toml: ping: an SSE connection sends nothing: remove [ping]",
        ),
        (
            _sse(resume={"send": {"type": "subscribe"}}),
            "feed.toml: resume: an SSE connection sends nothing: a reconnect sends Last-Event-ID",
        ),
        (
            _sse(unsubscribe={"send": {"type": "unsubscribe"}}),
            "feed.toml: unsubscribe: an SSE connection sends nothing: unsubscribing closes",
        ),
    ],
)
def test_what_an_sse_profile_cannot_say_is_an_error_naming_file_and_key(
    data: dict[str, object], wanted: str
) -> None:
    source = "feed.toml" if data.get("profile") else "p.toml"
    with pytest.raises(ProfileError) as error:
        parse_profile(data, source)
    assert wanted in str(error.value)
