"""One crowd member's connection: open it, greet the server, close it.

The member-level steps of :class:`wsbdd.runtime.crowd.Crowd`'s operations;
every function runs on the loop thread and returns a failure reason (the
text counted in a :class:`~wsbdd.runtime.crowd.CrowdReport`) or None.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Mapping, Sequence
from typing import Any, cast

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.protocol import State

from wsbdd.core.records import CloseInfo, now
from wsbdd.core.timing import format_duration

from ._crowd_members import CrowdConnection, CrowdExchange, Member
from .connect_errors import member_failure
from .progress import Progress
from .request import ConnectRequest
from .transports.ws_options import status_line

__all__ = [
    "close_member",
    "close_members",
    "closed_with_error",
    "greet",
    "open_member",
    "welcome",
]

_NORMAL_CLOSE_CODES = frozenset({1000, 1001, 1005})
"""Close codes a server may send without refusing anything (normal, going away, none)."""


async def open_member(
    member: Member,
    request: ConnectRequest,
    connect_kwargs: Mapping[str, Any],
    greeting: Sequence[CrowdExchange],
    ack_timeout: float,
) -> str | None:
    """Connect ``member`` and run the ``greeting``; returns the failure reason or None."""
    member.connection = None
    member.opened_at = None
    member.failure = None
    member.closing = False
    first = greeting[0] if greeting else None
    if first is not None and not first.text:
        # A welcome may come with the handshake response: listen before connecting.
        member.expect = first
        member.waiter = asyncio.get_running_loop().create_future()
    try:
        conn = await connect(
            request.url,
            create_connection=cast(
                type[ClientConnection], functools.partial(CrowdConnection, member=member)
            ),
            **connect_kwargs,
        )
    except InvalidStatus as exc:
        member.failure = status_line(exc.response)
    except Exception as exc:
        member.failure = member_failure(exc, request.open_timeout)
    else:
        member.connection = cast(CrowdConnection, conn)
        member.opened_at = now()
        for exchange in greeting:
            reason = await greet(member, exchange, ack_timeout)
            if reason is not None:
                member.failure = reason
                break
        member.greeted = member.received
    member.expect, member.waiter = None, None
    return member.failure


async def greet(member: Member, exchange: CrowdExchange, ack_timeout: float) -> str | None:
    """Send ``exchange`` (or await a welcome) and wait for its answer; the failure or None."""
    conn = member.connection
    assert conn is not None
    if not exchange.text:
        return await welcome(member, exchange)
    if exchange.ack is None:
        try:
            await conn.send(exchange.text)
        except ConnectionClosed:
            return f"{member.close_phrase()} before its {exchange.what} was sent"
        return None
    waiter: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
    member.expect, member.waiter = exchange, waiter
    try:
        try:
            await conn.send(exchange.text)
        except ConnectionClosed:
            return f"{member.close_phrase()} before its {exchange.what} was sent"
        if conn.protocol.state is not State.OPEN and not waiter.done():
            return f"{member.close_phrase()} before its {exchange.what} was confirmed"
        try:
            async with asyncio.timeout(ack_timeout):
                return await waiter
        except TimeoutError:
            expected = f" ({exchange.expected})" if exchange.expected else ""
            return (
                f"no confirmation of its {exchange.what}{expected} within "
                f"{format_duration(ack_timeout)}"
            )
    finally:
        member.expect, member.waiter = None, None


async def welcome(member: Member, exchange: CrowdExchange) -> str | None:
    """Await what the server sends unasked (set up by :func:`open_member`)."""
    conn, waiter = member.connection, member.waiter
    assert conn is not None
    try:
        if waiter is not None and not waiter.done() and conn.protocol.state is State.OPEN:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(exchange.patience or 0.0):
                    await asyncio.shield(waiter)
        if waiter is not None and waiter.done() and waiter.result() is not None:
            return waiter.result()
        if conn.protocol.state is not State.OPEN:
            return member.close_phrase()
        return None
    finally:
        member.expect, member.waiter = None, None


def closed_with_error(member: Member) -> str | None:
    """The server's close frame, when it carried an error code (a cycle the server refused)."""
    conn = member.connection
    rcvd = conn.protocol.close_rcvd if conn is not None else None
    if rcvd is None or int(rcvd.code) in _NORMAL_CLOSE_CODES:
        return None
    return CloseInfo(int(rcvd.code), rcvd.reason, "server", True, 0.0).describe()


async def close_member(member: Member, bound: float) -> None:
    """Close ``member``'s connection, aborting it after ``bound`` seconds."""
    conn = member.connection
    if conn is None or conn.protocol.state is State.CLOSED:
        return
    member.closing = True
    try:
        async with asyncio.timeout(bound):
            await conn.close()
    except Exception:
        conn.transport.abort()


async def close_members(
    members: Sequence[Member], bound: float, width: int, progress: Progress | None, verb: str
) -> None:
    """Close every open one of ``members``, ``width`` at a time, each within ``bound`` s."""
    open_members = [
        m
        for m in members
        if m.connection is not None and m.connection.protocol.state is not State.CLOSED
    ]
    if not open_members:
        return
    if progress is not None:
        progress.restart()
    source = iter(open_members)
    done = 0

    async def worker() -> None:
        nonlocal done
        for member in source:
            await close_member(member, bound)
            done += 1
            if progress is not None:
                progress.update(verb, done, len(open_members))

    try:
        await asyncio.gather(*(worker() for _ in range(min(width, len(open_members)))))
    finally:
        if progress is not None:
            progress.finish()
