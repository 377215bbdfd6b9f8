"""Hiding secrets in text, URLs, headers and JSON (wsbdd.redaction)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from wsbdd.redaction import MASK, Redactor, is_sensitive_name

SECRET = "alice-token-123"


@pytest.fixture
def r() -> Redactor:
    return Redactor([SECRET, "bob-secret", "", "abc"])


# -- names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "token",
        "TOKEN",
        "access_token",
        "accessToken",
        "auth",
        "Authorization",
        "password",
        "secret",
        "client_secret",
        "api_key",
        "apikey",
        "X-Api-Key",
        "refresh-token",
    ],
)
def test_sensitive_names(name: str) -> None:
    assert is_sensitive_name(name)


@pytest.mark.parametrize("name", ["type", "tokens_left", "token_type", "author", "user", "id"])
def test_ordinary_names(name: str) -> None:
    assert not is_sensitive_name(name)


# -- literal secrets ----------------------------------------------------------------


def test_every_literal_secret_is_hidden_everywhere(r: Redactor) -> None:
    text = f"sent {SECRET} and {SECRET}, then bob-secret!"
    assert r.text(text) == "sent *** and ***, then ***!"


def test_short_and_empty_secrets_are_ignored(r: Redactor) -> None:
    assert r.secrets == (SECRET, "bob-secret")
    assert r.text("abc is fine") == "abc is fine"


def test_longer_secret_wins_over_its_prefix() -> None:
    r = Redactor(["abcd", "abcdefgh"])
    assert r.text("x abcdefgh y") == "x *** y"


def test_secrets_with_regex_characters() -> None:
    r = Redactor(["a.b*c+(d)"])
    assert r.text("a.b*c+(d) axbbc") == "*** axbbc"


def test_add_secrets_later(r: Redactor) -> None:
    r.add("later-secret", "xy")
    assert r.text("later-secret xy") == "*** xy"


def test_no_secrets_leaves_text_alone() -> None:
    assert Redactor([]).text("hello world") == "hello world"


# -- URLs ---------------------------------------------------------------------------


def test_url_query_parameters(r: Redactor) -> None:
    url = "wss://h.example/ws?room=lobby&token=abc&Access_Token=def&api_key=1&apikey=2&x=y"
    assert r.url(url) == (
        "wss://h.example/ws?room=lobby&token=***&Access_Token=***&api_key=***&apikey=***&x=y"
    )


def test_url_password_and_fragment(r: Redactor) -> None:
    assert (
        r.url("wss://user:pw@h/ws#access_token=zzz&a=1")
        == "wss://user:***@h/ws#access_token=***&a=1"
    )
    assert r.url("wss://user@h/ws") == "wss://user@h/ws"


def test_url_with_literal_secret_in_path(r: Redactor) -> None:
    assert r.url(f"ws://h/ws/{SECRET}?a=1") == "ws://h/ws/***?a=1"


def test_url_without_query_is_unchanged(r: Redactor) -> None:
    assert r.url("ws://127.0.0.1:8765/ws") == "ws://127.0.0.1:8765/ws"


# -- headers ------------------------------------------------------------------------


def test_headers_keep_the_scheme_and_cookie_names(r: Redactor) -> None:
    pairs = [
        ("Authorization", "Bearer eyJhbGciOi.xyz"),
        ("proxy-authorization", "Basic dXNlcjpwdw=="),
        ("Cookie", "sid=abc; theme=dark"),
        ("Set-Cookie", "sid=abc; Path=/; HttpOnly"),
        ("X-Api-Key", "k-123"),
        ("X-Auth-Token", "t-1"),
        ("X-Request-Id", "r-1"),
        ("X-Echo", f"has {SECRET}"),
    ]
    assert r.headers(pairs) == [
        ("Authorization", "Bearer ***"),
        ("proxy-authorization", "Basic ***"),
        ("Cookie", "sid=***; theme=***"),
        ("Set-Cookie", "sid=***; Path=/; HttpOnly"),
        ("X-Api-Key", "***"),
        ("X-Auth-Token", "***"),
        ("X-Request-Id", "r-1"),
        ("X-Echo", "has ***"),
    ]


def test_authorization_without_scheme(r: Redactor) -> None:
    assert r.header("Authorization", "rawtoken") == "***"


def test_headers_from_a_mapping(r: Redactor) -> None:
    assert r.headers({"Authorization": "Bearer x", "Accept": "a"}) == [
        ("Authorization", "Bearer ***"),
        ("Accept", "a"),
    ]


# -- text patterns ------------------------------------------------------------------


def test_text_hides_query_json_pairs_headers_and_bearer(r: Redactor) -> None:
    text = (
        'GET /x?access_token=q1&page=2 {"password": "p w", "user": "bob", "pin_token": 1234}\n'
        "Authorization: Bearer abc\n"
        "Note: keep me\n"
        "then Bearer zzz.yyy arrived"
    )
    assert r.text(text) == (
        'GET /x?access_token=***&page=2 {"password": "***", "user": "bob", "pin_token": "***"}\n'
        "Authorization: Bearer ***\n"
        "Note: keep me\n"
        "then Bearer *** arrived"
    )


def test_text_json_pair_with_escaped_quotes(r: Redactor) -> None:
    assert r.text(r'{"secret": "a\"b", "x": 1}') == '{"secret": "***", "x": 1}'


# -- JSON values and bytes ----------------------------------------------------------


def test_value_is_a_redacted_deep_copy(r: Redactor) -> None:
    original: dict[str, Any] = {
        "type": "auth",
        "token": "t-1",
        "nested": [{"apiKey": {"deep": 1}, "text": f"hi {SECRET}"}, ("tuple", SECRET)],
        "password": None,
        "count": 3,
        "ok": True,
    }
    before = copy.deepcopy(original)
    result = r.value(original)
    assert result == {
        "type": "auth",
        "token": MASK,
        "nested": [{"apiKey": MASK, "text": "hi ***"}, ("tuple", MASK)],
        "password": None,
        "count": 3,
        "ok": True,
    }
    assert original == before
    assert result["nested"] is not original["nested"]


def test_value_on_scalars(r: Redactor) -> None:
    assert r.value(SECRET) == MASK
    assert r.value(12) == 12
    assert r.value(None) is None
    assert r.value(SECRET.encode()) == b"***"


def test_bytes(r: Redactor) -> None:
    data = b"\x00\x01" + SECRET.encode() + b"\xff"
    assert r.bytes(data) == b"\x00\x01***\xff"
    assert Redactor([]).bytes(b"abc") == b"abc"


def test_unicode_secret_in_bytes_and_text() -> None:
    r = Redactor(["pässwörd"])
    assert r.text("x pässwörd") == "x ***"
    assert r.bytes("x pässwörd".encode()) == b"x ***"
