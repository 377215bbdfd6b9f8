"""A small real GraphQL server for testing the graphql-transport-ws profile.

Strawberry GraphQL over ASGI, served by uvicorn (see ``serve.py``). It speaks
the graphql-transport-ws protocol exactly as Strawberry implements it:

* ``connection_init`` must carry ``{"token": ...}`` in its payload; an unknown
  or missing token is refused by ``on_ws_connect`` raising
  ``ConnectionRejectionError``, which Strawberry turns into close **4403**;
* ``subscribe`` before ``connection_ack`` is closed with **4401** by Strawberry;
* ``subscription { messages(room) }`` delivers what ``mutation { send }``
  publishes to that room; rooms not starting with ``room:`` are forbidden (an
  ``error`` message for that operation);
* ``subscription { count(upTo) }`` yields 1..upTo, then ``complete``;
* ``subscription { broken }`` fails in its resolver: Strawberry sends a
  ``next`` whose ``data`` is null and which carries ``errors``, then
  ``complete`` (a subscription that failed without an ``error`` message).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.permission import BasePermission
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import Info

USERS = {"alice-token": "alice", "bob-token": "bob", "carol-token": "carol"}


@strawberry.type
class ChatMessage:
    """One message delivered on a room."""

    id: str
    room: str
    sender: str
    text: str
    mark: str | None
    seq: int


class Broker:
    """Rooms with their subscribers' queues and a per-room sequence number."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[ChatMessage]]] = {}
        self._seq: dict[str, int] = {}
        self._ids = itertools.count(1)

    def publish(self, room: str, sender: str, text: str, mark: str | None) -> ChatMessage:
        self._seq[room] = self._seq.get(room, 0) + 1
        message = ChatMessage(
            id=f"gql-{next(self._ids)}",
            room=room,
            sender=sender,
            text=text,
            mark=mark,
            seq=self._seq[room],
        )
        for queue in self._queues.get(room, set()):
            queue.put_nowait(message)
        return message

    async def listen(self, room: str) -> AsyncGenerator[ChatMessage, None]:
        queue: asyncio.Queue[ChatMessage] = asyncio.Queue()
        self._queues.setdefault(room, set()).add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues[room].discard(queue)


BROKER = Broker()


def _user(info: Info[Any, Any]) -> str:
    return str(info.context.get("user", "anonymous"))


class PublicRoom(BasePermission):
    """Only rooms named ``room:...`` may be subscribed to or published on."""

    message = "forbidden: only room:* channels are public"

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        return str(kwargs.get("room", "")).startswith("room:")


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[PublicRoom])
    def send(
        self, info: Info[Any, Any], room: str, text: str, mark: str | None = None
    ) -> ChatMessage:
        return BROKER.publish(room, _user(info), text, mark)


@strawberry.type
class Subscription:
    @strawberry.subscription(permission_classes=[PublicRoom])
    async def messages(self, room: str) -> AsyncGenerator[ChatMessage, None]:
        async for message in BROKER.listen(room):
            yield message

    @strawberry.subscription
    async def count(self, up_to: int) -> AsyncGenerator[int, None]:
        for n in range(1, up_to + 1):
            yield n

    @strawberry.subscription
    async def broken(self) -> AsyncGenerator[int, None]:
        raise RuntimeError("the resolver failed")
        yield 0  # pragma: no cover - makes this an async generator


class ChatGraphQL(GraphQL[dict[str, Any], None]):
    """The ASGI app: checks the token of ``connection_init`` before acknowledging."""

    async def on_ws_connect(self, context: dict[str, Any]) -> None:
        params = context.get("connection_params") or {}
        token = params.get("token") if isinstance(params, dict) else None
        if token not in USERS:
            raise ConnectionRejectionError({"reason": "unknown token"})
        context["user"] = USERS[token]


schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
app = ChatGraphQL(schema, subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL])
