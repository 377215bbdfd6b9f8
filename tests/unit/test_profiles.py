"""API profiles: the built-ins, ``extends``, channel patterns, and every loading error."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from wsbdd.core.exceptions import ProfileError
from wsbdd.core.matching import Variables
from wsbdd.core.profiles import (
    BUILTIN_PROFILES,
    ChannelSpec,
    Profile,
    Template,
    load_profile,
    parse_profile,
    put_path,
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


# -- built-ins ---------------------------------------------------------------


def test_the_builtins_are_chat_chat_sse_graphql_transport_ws_and_socketio_chat() -> None:
    assert BUILTIN_PROFILES == ("chat", "chat-sse", "graphql-transport-ws", "socketio-chat")
    for name in BUILTIN_PROFILES:
        assert load_profile(name).name == name


def test_chat_carries_the_token_in_the_query_and_spells_the_reference_protocol() -> None:
    chat = load_profile("chat")
    assert (chat.auth.mode, chat.auth.param) == ("query", "token")
    assert chat.subscribe is not None and chat.subscribe.ack is not None
    variables = Variables({"channel": "room:lobby"})
    assert chat.subscribe.send.render(variables) == {"type": "subscribe", "channel": "room:lobby"}
    assert chat.subscribe.ack.render(variables) == {"type": "subscribed", "channel": "room:lobby"}
    delivery = chat.delivery_for("room:lobby")
    assert (delivery.text, delivery.sender, delivery.position, delivery.mark) == (
        "$.text",
        "$.from",
        "$.seq",
        "$.mark",
    )
    assert chat.resume is not None
    resumed = chat.resume.send.render(Variables({"channel": "room:a", "position": 7}))
    assert resumed == {"type": "subscribe", "channel": "room:a", "since": 7}


def test_graphql_transport_ws_authenticates_by_message_and_has_no_subscribe_ack() -> None:
    gql = load_profile("graphql-transport-ws")
    assert gql.subprotocols == ("graphql-transport-ws",)
    assert gql.auth.mode == "message" and gql.auth.message is not None
    assert gql.auth.message.render(Variables({"token": "t"})) == {
        "type": "connection_init",
        "payload": {"token": "t"},
    }
    assert gql.subscribe is not None and gql.subscribe.ack is None
    assert gql.confirm_window == pytest.approx(0.3)
    sent = gql.subscribe.send.render(
        Variables({"operation_id": "op1", "query": "subscription { x }", "variables": {"a": 1}})
    )
    assert sent == {
        "id": "op1",
        "type": "subscribe",
        "payload": {"query": "subscription { x }", "variables": {"a": 1}},
    }
    assert gql.channel_variables("room:lobby") == {"variables": {}}


def test_chat_waits_for_the_welcome_and_graphql_lists_two_ways_of_refusing() -> None:
    chat = load_profile("chat")
    assert chat.connection.ack is not None
    assert chat.connection.ack.render(Variables({})) == {"type": "welcome"}
    assert chat.connection.settle == pytest.approx(0.1)
    gql = load_profile("graphql-transport-ws")
    assert gql.subscribe is not None
    rejections = [t.render(Variables({"operation_id": "op1"})) for t in gql.subscribe.rejections]
    assert rejections == [
        {"id": "op1", "type": "error"},
        {"id": "op1", "type": "next", "payload": {"data": "{{null}}", "errors": "{{any}}"}},
    ]
    assert [t.key for t in gql.subscribe.rejections] == [
        "subscribe.reject[0]",
        "subscribe.reject[1]",
    ]


def test_a_connection_table_and_a_list_of_rejections(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "api.toml",
        """
        [connection]
        ack = { type = "hello" }
        reject = [{ type = "denied" }, { type = "error", fatal = true }]
        settle = "250 ms"

        [auth]
        mode = "message"
        message = { type = "auth", token = "${token}" }
        ack = { type = "authed" }
        reject = [{ type = "auth_failed" }, { type = "error" }]
        """,
    )
    profile = load_profile(str(path))
    connection = profile.connection
    assert connection.settle == pytest.approx(0.25)
    assert [t.value for t in connection.rejections] == [
        {"type": "denied"},
        {"type": "error", "fatal": True},
    ]
    assert connection.reject is connection.rejections[0]
    assert [t.value for t in profile.auth.rejections] == [
        {"type": "auth_failed"},
        {"type": "error"},
    ]
    # Without a [connection] table: no welcome, the default settle time.
    assert load_profile("graphql-transport-ws").connection.rejections == ()


# -- extends, names, channels ------------------------------------------------------


def test_a_file_extends_a_builtin_changing_only_what_differs(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mine.toml",
        """
        extends = "chat"
        [auth]
        mode = "header"
        """,
    )
    profile = load_profile(str(path))
    assert profile.name == "mine"  # named after its own file, not the base
    assert profile.source == str(path)
    assert profile.auth.mode == "header"
    assert profile.auth.value == "Bearer ${token}"
    chat = load_profile("chat")
    assert profile.subscribe is not None and chat.subscribe is not None
    assert profile.subscribe.send.value == chat.subscribe.send.value
    # Inherited templates are blamed on the file that uses them.
    assert (profile.subscribe.send.file, profile.subscribe.send.key) == (
        str(path),
        "subscribe.send",
    )
    assert profile.delivery is not None and chat.delivery is not None
    assert profile.delivery.match.value == chat.delivery.match.value
    assert profile.delivery.text == chat.delivery.text == "$.text"


def test_a_relative_path_is_read_from_the_base_dir_and_extends_from_the_files_folder(
    tmp_path: Path,
) -> None:
    write(tmp_path, "profiles/base.toml", '[profile]\nname = "base"\n[ping]\nsend = {type = "p"}\n')
    write(tmp_path, "profiles/child.toml", 'extends = "base.toml"\n[profile]\nname = "kid"\n')
    profile = load_profile("profiles/child.toml", base_dir=tmp_path)
    assert profile.name == "kid"
    assert profile.ping is not None
    assert profile.ping.send.render(Variables()) == {"type": "p"}


def test_channel_patterns_exact_first_then_stars_in_order_with_wildcards() -> None:
    profile = parse_profile(
        {
            "variables": {"kind": "default", "shared": 1},
            "channels": {
                "room:*": {"variables": {"kind": "room"}},
                "*": {"variables": {"kind": "any"}},
                "room:vip": {"variables": {"kind": "vip"}},
                "a*b*": {},
            },
        },
        "p.toml",
    )
    assert profile.channel_variables("room:vip") == {"kind": "vip", "shared": 1}
    assert profile.channel_variables("room:lobby") == {"kind": "room", "shared": 1}
    assert profile.channel_variables("user:1") == {"kind": "any", "shared": 1}
    assert profile.wildcards("room:lobby") == {"wildcard": "lobby", "wildcard.1": "lobby"}
    assert profile.wildcards("room:vip") == {}
    spec = ChannelSpec("a*b*")
    assert spec.wildcards("aXbY") == ("X", "Y")
    assert spec.wildcards("zzz") is None
    assert ChannelSpec("room.[1]?").wildcards("room.[1]?") == ()  # only * is special


def test_a_missing_key_says_which_table_or_key_to_add() -> None:
    profile = Profile(name="mine", source="profiles/mine.toml")
    table = profile.missing("ping", "an application ping")
    assert str(table) == (
        "profiles/mine.toml: ping: profile 'mine' does not define ping, which an application "
        "ping needs: add a [ping] table (see docs/profiles.md)"
    )
    key = profile.missing("delivery.text", "checking a delivered text")
    assert "add text to its [delivery] table" in str(key)
    assert (key.file, key.key) == ("profiles/mine.toml", "delivery.text")
    with pytest.raises(ProfileError, match=r"mine\.toml: delivery: .*add a \[delivery\] table"):
        profile.delivery_for("room:x")
    with pytest.raises(ProfileError, match=r"mine\.toml: publish: "):
        profile.publish_for("room:x")


def test_a_template_with_an_unset_variable_names_file_key_and_channel() -> None:
    template = Template({"q": "${query}"}, "p.toml", "subscribe.send")
    assert template.render(Variables({"query": "x"})) == {"q": "x"}
    with pytest.raises(ProfileError) as caught:
        template.render(Variables(), channel="room:a")
    assert str(caught.value) == (
        "p.toml: subscribe.send: uses ${query}, which is not set for channel room:a: declare "
        'it for this channel: [channels."room:a"] variables = { query = ... } (or in '
        "[variables] for every channel)"
    )
    with pytest.raises(ProfileError, match=r"^p\.toml: subscribe\.send: uses \$\{query\}"):
        template.render(Variables())


def test_put_path_writes_a_copy() -> None:
    original = {"a": {"b": 1}}
    assert put_path(original, "$.a.c", 2) == {"a": {"b": 1, "c": 2}}
    assert original == {"a": {"b": 1}}
    assert put_path(None, "$.x.y", "v") == {"x": {"y": "v"}}
    with pytest.raises(ValueError, match="simple path"):
        put_path({}, "$.a[0]", 1)


# -- errors: every one names the file and the key ---------------------------------------

ERRORS = [
    ("oops = 1", "oops", "unknown key (expected one of: auth, channels, connection, delivery"),
    ("[profile]\nnmae = 'x'", "profile.nmae", "unknown key (expected one of: codec, confirm"),
    ("[profile]\nname = 3", "profile.name", "must be a string, not int"),
    ("[profile]\nconfirm_window = 'soon'", "profile.confirm_window", "'soon' is not a duration"),
    ("[profile]\nsubprotocols = 'a'", "profile.subprotocols", "must be a list of strings"),
    ("profile = 1", "profile", "must be a table"),
    ("variables = 1", "variables", "must be a table of values"),
    ("channels = 1", "channels", "must be a table"),
    ("[channels]\n'room:*' = 1", 'channels."room:*"', "must be a table"),
    ("[channels.'room:*']\nvars = {}", 'channels."room:*".vars', "unknown key"),
    ("[channels.'room:*']\nvariables = 1", 'channels."room:*".variables', "must be a table"),
    (
        "[channels.'room:*'.delivery]\ntext = '$.t'",
        'channels."room:*".delivery.match',
        "is missing: what a delivered message looks like",
    ),
    (
        "[channels.'room:*'.publish]\nack = {}",
        'channels."room:*".publish.send',
        "is missing: the message to send",
    ),
    ("auth = 1", "auth", "must be a table"),
    ("[auth]\nmode = 'kerberos'", "auth.mode", "'kerberos' is not one of none, query, header"),
    ("[auth]\nmode = 'message'", "auth.message", 'is missing: mode = "message" needs'),
    ("[auth]\non_connect = 'yes'", "auth.on_connect", "must be true or false"),
    ("[auth]\nparam = 1", "auth.param", "must be a string, not int"),
    ("[auth]\nheadr = 'X'", "auth.headr", "unknown key (expected one of: ack, header"),
    ("subscribe = 1", "subscribe", "must be a table with send"),
    ("[subscribe]\nack = {type = 'ok'}", "subscribe.send", "is missing: the message to send"),
    (
        "[subscribe]\nsned = {}",
        "subscribe.sned",
        "unknown key (expected one of: ack, reject, send)",
    ),
    ("[ping]\nsend = 'ping'", "ping.send", "must be a table or a JSON object/array in a string"),
    ("[ping]\nsend = '{\"type\": }'", "ping.send", "is not valid JSON"),
    ("[ping]\nsend = 3", "ping.send", "must be a table (a JSON object template)"),
    ("[unsubscribe]\nsend = {}\nack = 'x'", "unsubscribe.ack", "must be a table or a JSON"),
    ("[resume]\nsend = {}\nreject = 1", "resume.reject", "must be a table"),
    ("[publish]\nsend = []\nextra = 1", "publish.extra", "unknown key"),
    ("delivery = 1", "delivery", "must be a table with match"),
    ("[delivery]\ntext = '$.t'", "delivery.match", "is missing"),
    ("[delivery]\nmatch = {}\ntext = 'text'", "delivery.text", "'text' must be a JSON path"),
    ("[delivery]\nmatch = {}\nsender = 1", "delivery.sender", "must be a string, not int"),
    ("[delivery]\nmatch = {}\npos = '$.p'", "delivery.pos", "unknown key"),
    ("extends = 1", "extends", "must be the name or path of another profile"),
    ("connection = 1", "connection", "must be a table with ack, reject or settle"),
    ("[connection]\nsettle = 'soon'", "connection.settle", "'soon' is not a duration"),
    ("[connection]\nwelcome = {}", "connection.welcome", "unknown key (expected one of: ack"),
    ("[connection]\nack = 3", "connection.ack", "must be a table (a JSON object template)"),
]


@pytest.mark.parametrize(("text", "key", "expected"), ERRORS, ids=[e[1] for e in ERRORS])
def test_every_mistake_names_the_file_the_key_and_what_is_expected(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = write(tmp_path, "bad.toml", text + "\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    error = caught.value
    assert (error.file, error.key) == (str(path), key)
    assert str(error).startswith(f"{path}: {key}: "), str(error)
    assert expected in str(error)


def test_invalid_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.toml", "[auth\nmode = 'x'\n")
    with pytest.raises(ProfileError, match=r"bad\.toml: is not valid TOML: .*line 1"):
        load_profile(str(path))


def test_an_unknown_name_or_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"unknown profile 'nope': use a built-in \(chat, "):
        load_profile("nope", base_dir=tmp_path)
    with pytest.raises(ProfileError, match=r"profile file .*missing\.toml does not exist"):
        load_profile("missing.toml", base_dir=tmp_path)


def test_a_bad_extends_is_blamed_on_the_file_that_extends(tmp_path: Path) -> None:
    path = write(tmp_path, "child.toml", 'extends = "no-such-base"\n')
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert (caught.value.file, caught.value.key) == (str(path), "extends")
    assert "unknown profile 'no-such-base'" in str(caught.value)

    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ProfileError, match=r"b\.toml: extends: profiles extend each other in a"):
        load_profile(str(tmp_path / "a.toml"))


def test_a_mistake_in_an_extending_file_names_that_file(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.toml", 'extends = "chat"\n[auth]\nmode = "telepathy"\n')
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert (caught.value.file, caught.value.key) == (str(path), "auth.mode")
