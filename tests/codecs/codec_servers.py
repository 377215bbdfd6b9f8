"""A small chat server speaking one codec, for the codec feature tests.

Frames are decoded with the codec under test (MessagePack, CBOR or Protobuf
``chat.Envelope``). On connect it sends ``{"type": "welcome"}``; then:

=================================  ==============================================
client frame                        answer
=================================  ==============================================
``{"type": "ping"}``                ``{"type": "pong", "seq": 1}``
``{"type": "subscribe", ...}``      ``{"type": "subscribed", "channel": C}``
``{"type": "message", ...}``        to every connection: the message with ``from``
                                    ``"alice"`` and a ``seq``
``{"type": "raw", "text": HEX}``    the bytes HEX as one binary frame (several,
                                    separated by ``,``, one frame each)
``{"type": "text", "text": T}``     T as a *text* frame
=================================  ==============================================
"""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from tests.integration.fixture_servers import FixtureServer, ServerThread
from wsbdd.core.codecs import Codec, CodecError, codec_named, protobuf_codec

__all__ = ["PROTO", "codec_server", "make_codec"]

PROTO = Path(__file__).resolve().parents[2] / "features" / "protos" / "chat.proto"


def make_codec(name: str) -> Codec:
    if name == "protobuf":
        return protobuf_codec("chat.Envelope", PROTO)
    return codec_named(name)


def codec_server(servers: ServerThread, name: str) -> FixtureServer:
    """A chat server speaking codec ``name`` (``msgpack``, ``cbor``, ``protobuf``)."""
    codec = make_codec(name)
    sequence = itertools.count(1)
    peers: list[ServerConnection] = []

    async def send(ws: ServerConnection, value: dict[str, Any]) -> None:
        await ws.send(codec.encode(value))

    async def handler(ws: ServerConnection) -> None:
        peers.append(ws)
        try:
            await send(ws, {"type": "welcome"})
            async for frame in ws:
                try:
                    value = codec.decode(frame)
                except CodecError:
                    continue
                kind = value.get("type") if isinstance(value, dict) else None
                if kind == "ping":
                    await send(ws, {"type": "pong", "seq": 1})
                elif kind == "subscribe":
                    await send(ws, {"type": "subscribed", "channel": value.get("channel", "")})
                elif kind == "message":
                    out = {**value, "from": "alice", "seq": next(sequence)}
                    for peer in list(peers):
                        with contextlib.suppress(ConnectionClosed):
                            await send(peer, out)
                elif kind == "raw":
                    for part in str(value.get("text", "")).split(","):
                        await ws.send(bytes.fromhex(part.replace(" ", "")))
                elif kind == "text":
                    await ws.send(str(value.get("text", "")))
        finally:
            peers.remove(ws)

    return servers.websocket(handler)
