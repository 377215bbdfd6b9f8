"""Hostile JSON: deep nesting, NaN/Infinity, out-of-range and huge numbers.

Each is refused with an ``error`` frame (the connection stays open), nothing
is delivered to the channel, and every frame the server sends is strict JSON.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import httpx
import pytest
from wsref_helpers import client, nothing, publish, recv, run, serving, subscribe

from wsbdd.server.cli import add_serve_arguments, options_from_args
from wsbdd.server.jsonframes import (
    DEFAULT_MAX_DEPTH,
    MAX_NUMBER_LENGTH,
    FrameError,
    deeper_than,
    dumps,
    loads,
)


def strict(raw: str | bytes) -> Any:
    """Parse as RFC 8259 JSON: NaN and Infinity are errors."""

    def refuse(literal: str) -> None:
        raise AssertionError(f"the server sent {literal}, which is not JSON: {raw!r}")

    return json.loads(raw, parse_constant=refuse)


def nested(levels: int, inner: str = "1") -> str:
    return "[" * levels + inner + "]" * levels


# -- the pure layer ----------------------------------------------------------


def test_depth_counts_brackets_outside_strings_only() -> None:
    assert not deeper_than(nested(64), 64)
    assert deeper_than(nested(65), 64)
    assert not deeper_than('{"a": "' + "[" * 500 + '"}', 64)  # brackets inside a string
    assert not deeper_than('{"a": "\\"' + "{" * 500 + '"}', 64)  # after an escaped quote
    assert deeper_than('{"a": "x\\\\"' + ", " + '"b":' + nested(70) + "}", 64)
    assert deeper_than('["unterminated ' + "[" * 100, 1) is False  # the rest is the string


@pytest.mark.parametrize("levels", [1_000, 30_000])
def test_deep_nesting_is_refused_before_parsing(levels: int) -> None:
    with pytest.raises(FrameError) as caught:
        loads('{"type":"message","x":' + nested(levels) + "}")
    assert caught.value.code == "bad_request"
    assert f"deeper than {DEFAULT_MAX_DEPTH} levels" in caught.value.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"x": NaN}', "bad_json"),
        ('{"x": Infinity}', "bad_json"),
        ('{"x": -Infinity}', "bad_json"),
        ('{"x": 1e999}', "bad_request"),
        ('{"x": -1e999}', "bad_request"),
        ('{"x": ' + "9" * (MAX_NUMBER_LENGTH + 1) + "}", "bad_request"),
        ('{"x": 0.' + "1" * (MAX_NUMBER_LENGTH + 1) + "}", "bad_request"),
        ("{", "bad_json"),
        ('{"x": "\\ud800"}', "bad_request"),
        ('{"\\udc00": 1}', "bad_request"),
    ],
)
def test_non_json_and_out_of_range_numbers_are_refused(text: str, code: str) -> None:
    with pytest.raises(FrameError) as caught:
        loads(text)
    assert caught.value.code == code, caught.value.message


def test_valid_numbers_still_parse_and_dumps_refuses_nan() -> None:
    assert loads('{"a": 1.5, "b": -0, "c": 1e308, "d": ' + "9" * 400 + "}") == {
        "a": 1.5,
        "b": 0,
        "c": 1e308,
        "d": int("9" * 400),
    }
    assert loads('{"e": "\\ud83d\\ude00"}') == {"e": "\U0001f600"}  # a pair is one character
    with pytest.raises(ValueError):
        dumps({"x": float("nan")})


def test_max_depth_option() -> None:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    assert options_from_args(parser.parse_args([])).max_depth == DEFAULT_MAX_DEPTH
    assert options_from_args(parser.parse_args(["--max-depth", "5"])).max_depth == 5
    with pytest.raises(SystemExit):
        parser.parse_args(["--max-depth", "0"])


# -- on the wire -------------------------------------------------------------


def _message(extra: str) -> str:
    return '{"type":"message","channel":"room:j","text":"t","extra":' + extra + "}"


HOSTILE = [
    (nested(1_000), "bad_request"),
    (nested(30_000), "bad_request"),
    ('{"a":' * 1_000 + "1" + "}" * 1_000, "bad_request"),
    (nested(DEFAULT_MAX_DEPTH), "bad_request"),  # the frame's object is one level more
    ("NaN", "bad_json"),
    ("Infinity", "bad_json"),
    ("-Infinity", "bad_json"),
    ("1e999", "bad_request"),
    ("9" * 2_000, "bad_request"),
    ('"\\ud800 alone"', "bad_request"),
]


@pytest.mark.parametrize(
    ("extra", "code"),
    HOSTILE,
    ids=["1k", "30k", "objects", "limit+1", "nan", "inf", "-inf", "1e999", "digits", "surrogate"],
)
def test_hostile_frame_gets_an_error_and_nothing_is_delivered(extra: str, code: str) -> None:
    async def main() -> None:
        async with serving(max_size=1 << 20) as server:
            sender = await client(server, "alice", max_size=None)
            watcher = await client(server, "bob")
            assert (await subscribe(watcher, "room:j"))["type"] == "subscribed"
            await sender.send(_message(extra))
            answer = strict(await sender.recv())
            assert answer["type"] == "error" and answer["code"] == code, answer
            await sender.send('{"type":"ping"}')  # the connection is still open
            assert strict(await sender.recv()) == {"type": "pong"}
            await nothing(watcher, 0.1)

    run(main())


def test_frames_within_the_limits_are_delivered_as_strict_json() -> None:
    async def main() -> None:
        async with serving() as server:
            sender = await client(server, "alice")
            watcher = await client(server, "bob")
            assert (await subscribe(watcher, "room:j"))["type"] == "subscribed"
            await sender.send(_message(nested(DEFAULT_MAX_DEPTH - 1)))
            got = strict(await watcher.recv())
            assert got["extra"] == json.loads(nested(DEFAULT_MAX_DEPTH - 1)), got
            await publish(sender, "room:j", "f", ratio=0.25, big=10**300)
            got = strict(await watcher.recv())
            assert (got["ratio"], got["big"]) == (0.25, 10**300)

    run(main())


def test_deep_top_level_array_is_refused_not_a_1011() -> None:
    async def main() -> None:
        async with serving() as server:
            ws = await client(server)
            await ws.send(nested(1_000))
            answer = await recv(ws)
            assert answer["type"] == "error" and answer["code"] == "bad_request", answer
            await ws.send('{"type":"ping"}')
            assert (await recv(ws)) == {"type": "pong"}

    run(main())


def test_max_depth_is_configurable() -> None:
    async def main() -> None:
        async with serving(max_depth=3) as server:
            ws = await client(server)
            await ws.send(_message("[[[1]]]"))  # the frame's object, then 3 arrays: depth 4
            assert (await recv(ws))["code"] == "bad_request"
            await subscribe(ws, "room:j")
            await ws.send(_message("[[1]]"))  # depth 3
            assert (await recv(ws))["extra"] == [[1]]

    run(main())


def test_orders_body_deep_or_nan_is_a_400() -> None:
    async def main() -> None:
        async with serving() as server, httpx.AsyncClient(base_url=server.http_url) as http:
            ok = {"Authorization": "Bearer alice-token"}
            for body, code in (
                ('{"item":"a","qty":1,"x":' + nested(5_000) + "}", "bad_request"),
                ('{"item":"a","qty":NaN}', "bad_json"),
                ('{"item":"a","qty":1e999}', "bad_request"),
                (b'{"item":"\xff","qty":1}', "bad_json"),
            ):
                r = await http.post("/orders", content=body, headers=ok)
                assert r.status_code == 400, (r.status_code, r.text[:200])
                assert strict(r.content)["error"] == code, r.text

    run(main())
