"""``wsbdd serve --codec msgpack|cbor``: every /ws frame in that codec, both ways."""

from __future__ import annotations

import cbor2
import msgpack
import pytest
from websockets.asyncio.client import connect
from wsref_helpers import run, serving

CODECS = {"msgpack": (msgpack.packb, msgpack.unpackb), "cbor": (cbor2.dumps, cbor2.loads)}


@pytest.mark.parametrize("codec", sorted(CODECS))
def test_the_protocol_speaks_the_codec_both_ways(codec: str) -> None:
    dumps, loads = CODECS[codec]

    async def scenario() -> None:
        async with serving(codec=codec) as server:
            ws = await connect(f"{server.ws_url}?token=alice-token", open_timeout=5)
            welcome = await ws.recv()
            assert isinstance(welcome, bytes) and loads(welcome)["type"] == "welcome"
            await ws.send(dumps({"type": "subscribe", "channel": "room:c"}))
            assert loads(await ws.recv())["type"] == "subscribed"
            await ws.send(dumps({"type": "message", "channel": "room:c", "text": "hi"}))
            message = loads(await ws.recv())
            assert (message["type"], message["text"], message["from"]) == ("message", "hi", "alice")
            await ws.send("plain text")
            error = loads(await ws.recv())
            assert (
                error["code"] == "bad_request"
                and "text frames are not supported" in (error["message"])
            )
            await ws.send(b"\xc1" if codec == "msgpack" else b"\x1f")
            assert loads(await ws.recv())["code"] == "bad_json"
            await ws.close()

    run(scenario())


def test_deep_binary_frames_are_refused_like_deep_json() -> None:
    async def scenario() -> None:
        async with serving(codec="msgpack", max_depth=8) as server:
            ws = await connect(f"{server.ws_url}?token=alice-token", open_timeout=5)
            await ws.recv()
            deep: object = "x"
            for _ in range(20):
                deep = [deep]
            await ws.send(msgpack.packb({"type": "ping", "deep": deep}))
            answer = msgpack.unpackb(await ws.recv())
            assert answer["code"] == "bad_request" and "deeper than 8" in answer["message"]
            await ws.close()

    run(scenario())
