"""Steps: connecting, handshakes and closing."""

from __future__ import annotations

import re
from typing import Any

from behave import given, step, then, use_step_matcher, when

from wsbdd.core.close_texts import WITHOUT_CLOSE_FRAME
from wsbdd.core.exceptions import UsageError
from wsbdd.core.timing import parse_duration
from wsbdd.session.roster import ConnectSpec
from wsbdd.steps._common import (
    CLIENT,
    DURATION,
    WITHIN,
    optional_duration,
    session,
    table_rows,
)

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")

_TRANSPORT_KINDS = {"SSE": "sse", "Socket.IO": "socketio"}
"""The ``over ...`` clause of a connect step, and the transport kind it names."""

_CLAUSES = (
    r'(?: to "(?P<target>[^"]*)")?'
    r"(?: over (?P<transport>SSE|Socket\.IO))?"
    r'(?: as (?P<identity>[\w.@-]+)| with token "(?P<token>[^"]*)"| with (?P<no_token>no token))?'
    r'(?: with subprotocols? "(?P<subprotocols>[^"]*)")?'
    r'(?: with origin "(?P<origin>[^"]*)")?'
    r"(?P<headers> with headers:)?"
)


def _spec(context: Any, groups: dict[str, str | None]) -> ConnectSpec:
    headers: tuple[tuple[str, str], ...] = ()
    if groups.get("headers"):
        rows = table_rows(context, ("header", "value"), "connects with headers:")
        headers = tuple((row["header"], row["value"]) for row in rows)
    subprotocols = tuple(
        p.strip() for p in (groups.get("subprotocols") or "").split(",") if p.strip()
    )
    return ConnectSpec(
        target=groups.get("target"),
        identity=groups.get("identity"),
        token=groups.get("token"),
        no_token=bool(groups.get("no_token")),
        subprotocols=subprotocols,
        origin=groups.get("origin"),
        headers=headers,
        transport=_TRANSPORT_KINDS.get(groups.get("transport") or ""),
    )


@step(rf"client {CLIENT} connects{_CLAUSES}")
def client_connects(context: Any, name: str, **groups: str | None) -> None:
    """Opens a connection and records the outcome (open, rejected, refused, timed out)."""
    session(context).connections.connect(name, _spec(context, groups), require_open=False)


@given(rf"client {CLIENT} is connected{_CLAUSES}")
@when(rf"client {CLIENT} is connected{_CLAUSES}")
def client_is_connected(context: Any, name: str, **groups: str | None) -> None:
    """Opens a connection that must succeed and stay open past its welcome (or 100 ms)."""
    session(context).connections.connect(name, _spec(context, groups), require_open=True)


@step(
    r"clients (?P<names>[\w.@-]+(?:(?:, | and )[\w.@-]+)+) are connected"
    r"(?: as (?P<identities>[\w.@-]+(?:(?:, | and )[\w.@-]+)*))?"
)
def clients_are_connected(context: Any, names: str, identities: str | None) -> None:
    """Connects several clients, each as the identity in the same position."""
    client_names = re.split(r", | and ", names)
    ids = re.split(r", | and ", identities) if identities else [None] * len(client_names)
    if len(ids) != len(client_names):
        raise UsageError(
            f"{len(client_names)} clients but {len(ids)} identities: give one identity per client"
        )
    s = session(context)
    for name, identity in zip(client_names, ids, strict=True):
        s.connections.connect(name, ConnectSpec(identity=identity), require_open=True)


@then(rf"client {CLIENT} is connected")
def client_is_open(context: Any, name: str) -> None:
    """The client's connection is open right now."""
    session(context).connections.assert_open(name)


@step(rf"client {CLIENT}'s subprotocol is \"(?P<subprotocol>[^\"]+)\"")
def subprotocol_is(context: Any, name: str, subprotocol: str) -> None:
    """The server chose this subprotocol in the handshake."""
    s = session(context)
    s.connections.assert_subprotocol(name, s.text(subprotocol))


@step(rf"client {CLIENT} has no subprotocol")
def no_subprotocol(context: Any, name: str) -> None:
    """The server chose no subprotocol."""
    session(context).connections.assert_subprotocol(name, None)


@step(rf"client {CLIENT}'s handshake is rejected with status (?P<status>\d{{3}})")
def handshake_rejected(context: Any, name: str, status: str) -> None:
    """The server refused the WebSocket upgrade with this HTTP status."""
    session(context).connections.assert_rejected(name, int(status))


@step(rf"client {CLIENT}'s connection is refused")
def connection_refused(context: Any, name: str) -> None:
    """Nothing accepted the client's TCP connection (the server is down)."""
    session(context).connections.assert_refused(name)


@step(
    rf"client {CLIENT} is closed(?P<by_server> by the server)?(?: with code (?P<code>\d+))?"
    rf'(?: and reason "(?P<reason>[^"]*)")?{WITHIN}'
)
def client_is_closed(
    context: Any,
    name: str,
    by_server: str | None,
    code: str | None,
    reason: str | None,
    within: str | None,
) -> None:
    """The connection is closed (by the server, with this code and reason) in time."""
    s = session(context)
    s.messages.closed(
        name,
        optional_duration(within),
        code=int(code) if code else None,
        reason=s.text(reason) if reason is not None else None,
        by_server=bool(by_server),
    )


@step(rf"client {CLIENT} is closed {WITHOUT_CLOSE_FRAME}{WITHIN}")
def closed_without_frame(context: Any, name: str, within: str | None) -> None:
    """The server cut the TCP connection with no closing handshake (code 1006) in time."""
    session(context).messages.closed(name, optional_duration(within), without_close_frame=True)


@step(rf"client {CLIENT} stays open for (?P<value>{DURATION})")
def stays_open(context: Any, name: str, value: str) -> None:
    """The connection is still open after this long."""
    session(context).messages.stays_open(name, parse_duration(value))


@step(rf"client {CLIENT} disconnects")
def disconnects(context: Any, name: str) -> None:
    """Closes the connection normally (code 1000)."""
    session(context).connections.disconnect(name)


@step(rf'client {CLIENT} closes with code (?P<code>\d+)(?: and reason "(?P<reason>[^"]*)")?')
def closes_with_code(context: Any, name: str, code: str, reason: str | None) -> None:
    """Closes the connection with this code and reason."""
    s = session(context)
    s.connections.disconnect(name, int(code), s.text(reason or ""))


@step(rf"client {CLIENT} drops its connection")
def drops_connection(context: Any, name: str) -> None:
    """Cuts the TCP connection with no closing handshake, like a lost network."""
    session(context).connections.drop(name)


@step(rf"client {CLIENT} reconnects")
def reconnects(context: Any, name: str) -> None:
    """Opens a new connection for the same client and subscribes again to its channels."""
    session(context).connections.reconnect(name, resume=False)


@step(rf"client {CLIENT} reconnects and resumes")
def reconnects_and_resumes(context: Any, name: str) -> None:
    """Reconnects and asks the server to replay what was missed on each channel."""
    session(context).connections.reconnect(name, resume=True)


@step(r"all clients disconnect")
def all_disconnect(context: Any) -> None:
    """Closes every open client normally."""
    session(context).disconnect_all()


use_step_matcher("parse")
