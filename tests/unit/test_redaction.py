"""Hiding secrets in text, URLs, headers and JSON (wsbdd.core.redaction)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from wsbdd.core.redaction import MASK, Redactor, is_sensitive_name

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


# -- encoded and truncated forms ----------------------------------------------------

PLUS = "tok+en/with=amp&end"


@pytest.mark.parametrize(
    "shown",
    [
        "tok%2Ben%2Fwith%3Damp%26end",  # quote(safe="")
        "tok%2Ben/with%3Damp%26end",  # quote()
        "tok%2ben%2fwith%3damp%26end",  # lower-case hex
    ],
)
def test_a_secret_is_hidden_in_its_percent_encoded_forms(shown: str) -> None:
    r = Redactor([PLUS])
    assert r.text(f"GET /ws?x=1&t={shown}") == "GET /ws?x=1&t=***"
    assert r.url(f"ws://h/ws?session={shown}") == "ws://h/ws?session=***"


def test_a_secret_is_hidden_in_its_form_encoded_and_json_escaped_forms() -> None:
    r = Redactor(['a b/c"d'])
    assert r.text("q=a+b%2Fc%22d") == "q=***"
    assert r.text('{"note": "a b/c\\"d"}') == '{"note": "***"}'


def test_a_secret_cut_by_a_truncation_mark_leaves_no_prefix() -> None:
    r = Redactor([SECRET])
    assert r.text(f"msg {SECRET[:9]}… (400 chars)") == "msg ***… (400 chars)"
    assert r.text(f'{{"k": "{SECRET[:4]}…') == '{"k": "***…'
    # three characters or fewer, or text that is no secret's start, stay
    assert r.text(f"msg {SECRET[:3]}… and hello…") == f"msg {SECRET[:3]}… and hello…"


def test_truncation_in_failure_text_never_shows_a_token_prefix() -> None:
    from wsbdd.core.matching.render import WaitFailure, render_wait_failure
    from wsbdd.core.records import Message

    text = "x" * 150 + f" {SECRET} and more text after it to pass the limit"
    message = Message.parse("B", 0, text, 1.0)
    rendered = render_wait_failure(WaitFailure("B", "receive a pong", 1.0, [message]))
    assert f" {SECRET[:9]}…" in rendered  # the cut is in the token
    shown = Redactor([SECRET]).text(rendered)
    assert all(SECRET[:k] not in shown for k in range(4, len(SECRET) + 1))


# -- matchers are expectations, shown as written -------------------------------------


def test_a_matcher_under_a_sensitive_name_is_shown_as_written(r: Redactor) -> None:
    expected = '{"type": "login", "access_token": "{{string}}", "password": "{{any}}"}'
    assert r.text(expected) == expected
    assert r.value({"access_token": "{{integer}}", "token": "real"}) == {
        "access_token": "{{integer}}",
        "token": MASK,
    }


# -- learning: values under sensitive names are secrets everywhere ----------------------


def test_a_value_seen_under_a_sensitive_key_is_hidden_everywhere_after() -> None:
    r = Redactor()
    assert r.text('{"access_token": "srv-issued-1"}') == '{"access_token": "***"}'
    assert r.text("$.access_token: expected an integer, got srv-issued-1") == (
        "$.access_token: expected an integer, got ***"
    )
    assert r.url("ws://h/ws?session=srv-issued-1") == "ws://h/ws?session=***"


def test_a_value_is_hidden_before_its_sensitive_pair_in_the_same_text() -> None:
    r = Redactor()
    text = 'got "srv-77777" in {"refresh_token": "srv-77777"}'
    assert r.text(text) == 'got "***" in {"refresh_token": "***"}'


def test_learn_walks_json_values_sent_or_received() -> None:
    r = Redactor()
    r.learn({"data": [{"login": {"accessToken": "abc-123-xyz", "user": "bob"}}]})
    r.learn([{"password": "{{any}}"}, {"api_key": None}])
    assert r.secrets == ("abc-123-xyz",)
    assert r.text("echo abc-123-xyz") == "echo ***"


def test_query_bearer_header_and_password_values_are_learnt() -> None:
    r = Redactor()
    r.text("GET /x?api_key=key-1111 and Bearer bear-2222\nX-Api-Key: hdr-3333")
    r.url("wss://bob:pw-4444@h/ws")
    r.header("Cookie", "sid=sid-5555; theme=dark")
    assert set(r.secrets) == {"key-1111", "bear-2222", "hdr-3333", "pw-4444", "sid-5555", "dark"}


def test_learn_table_hides_tokens_and_sensitive_header_values() -> None:
    r = Redactor()
    r.learn_table(["user", "token"], [["alice", "tab-token-1"], ["bob", "${bob}"]])
    r.learn_table(
        ["header", "value"],
        [
            ["X-Api-Key", "key-abcd"],
            ["Cookie", "sid=sess-1234; theme=dark"],
            ["Authorization", "Bearer bear-9876"],
            ["X-Request-Id", "r-1234"],
        ],
    )
    shown = r.text("header,value\nX-Api-Key,key-abcd\nCookie,sid=sess-1234\ntab-token-1 bear-9876")
    assert shown == "header,value\nX-Api-Key,***\nCookie,sid=***\n*** ***"
    assert "r-1234" not in r.secrets and "${bob}" not in r.secrets


def test_escaped_json_inside_a_string_is_redacted(r: Redactor) -> None:
    text = '{"payload": "{\\"token\\": \\"inner-777\\", \\"n\\": 1}"}'
    assert r.text(text) == '{"payload": "{\\"token\\": \\"***\\", \\"n\\": 1}"}'


def test_a_large_text_is_redacted_in_one_linear_pass() -> None:
    r = Redactor([SECRET])
    big = '{"type": "big", "password": "p-1", "data": "' + "x" * 5_000_000 + SECRET + '"}'
    shown = r.text(big)
    assert shown.startswith('{"type": "big", "password": "***", "data": "xxx')
    assert shown.endswith('x***"}') and len(shown) == len(big) - len(SECRET) - 3 + 6


def test_bytes_hide_encoded_forms_too() -> None:
    r = Redactor([PLUS])
    assert r.bytes(b"\x00tok%2Ben%2Fwith%3Damp%26end\x01") == b"\x00***\x01"


def test_a_variable_placeholder_is_shown_as_written_and_not_learnt() -> None:
    r = Redactor()
    text = '{"type": "auth", "token": "${token}"}'
    assert r.text(text) == text
    assert r.secrets == ()


def test_a_query_value_in_text_stops_before_the_punctuation_that_ends_a_phrase() -> None:
    redactor = Redactor([])
    text = "could not connect to ws://h/ws?token=zzz: handshake timed out; see ?api_key=a.b."
    assert redactor.text(text) == (
        "could not connect to ws://h/ws?token=***: handshake timed out; see ?api_key=***."
    )
    assert redactor.text("ws://h/ws?token=ab:c&x=1") == "ws://h/ws?token=***&x=1"
