"""Steps: a mock server that plays the server for a client app under test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from behave import step, use_step_matcher

from wsbdd.core.timing import parse_duration
from wsbdd.steps._common import DURATION, INLINE_JSON, WITHIN, optional_duration, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")

_NUMBER = r"\d+(?:\.\d+)?"
F = TypeVar("F", bound=Callable[..., Any])


def _for_lint(
    *, sets: tuple[str, ...] = (), filled_later: tuple[str, ...] = ()
) -> Callable[[F], F]:
    """Tell ``wsbdd lint`` which variables a step sets, and which arguments it fills later."""

    def mark(func: F) -> F:
        vars(func).update(wsbdd_sets=sets, wsbdd_filled_later=filled_later)
        return func

    return mark


@step(
    r"a mock server(?: on port (?P<port>\d+))?"
    r'(?: at "(?P<path>[^"]*)")?'
    r'(?: with subprotocols? "(?P<subprotocols>[^"]*)")?'
)
@_for_lint(sets=("mock_url", "mock_http_url", "mock_port"))
def mock_server(context: Any, port: str | None, path: str | None, subprotocols: str | None) -> None:
    """Starts a mock WebSocket server on 127.0.0.1 (a free port) and sets ${mock_url}."""
    offered = tuple(p.strip() for p in (subprotocols or "").split(",") if p.strip())
    session(context).mock.start(path, offered, int(port or 0))


@step(rf"the mock server greets every client with {INLINE_JSON}")
def greets(context: Any, json: str) -> None:
    """The mock server sends this message to every client as soon as it connects."""
    session(context).mock.greet(json)


@step(r"the mock server answers (?P<request>[\[{].*[\]}]) with (?P<reply>[\[{].*[\]}])")
@_for_lint(filled_later=("reply",))
def answers(context: Any, request: str, reply: str) -> None:
    """Each received message matching the first JSON gets the second, ${…} filled from it."""
    session(context).mock.answer(request, reply)


@step(
    rf"the mock server has a latency of (?P<low>{DURATION})(?: to (?P<high>{DURATION}))?"
    r"(?: per connection)?"
)
def latency(context: Any, low: str, high: str | None) -> None:
    """Every frame the mock sends waits this long (a range: drawn per connection)."""
    session(context).mock.set_latency(parse_duration(low), optional_duration(high))


@step(
    r"the mock server tells clients apart by the "
    r'(?P<source>query parameter|header|field) "(?P<key>[^"]+)"'
)
def tells_apart(context: Any, source: str, key: str) -> None:
    """Which query parameter, header or first-message field names a connection's client."""
    session(context).mock.tell_apart(source, key)


@step(r'the app under test is started with "(?P<command>.+)"')
def app_started(context: Any, command: str) -> None:
    """Runs the command (${mock_url} set, output in the report), stopped at scenario end."""
    session(context).mock.start_app(command)


@step(rf"the mock server has (?P<count>\d+) connections? within (?P<within>{DURATION})")
def has_connections(context: Any, count: str, within: str) -> None:
    """Waits until this many connections are open at once; more than that fails."""
    session(context).mock.assert_connections(int(count), parse_duration(within))


@step(rf"the mock server receives {INLINE_JSON}{WITHIN}")
def mock_receives(context: Any, json: str, within: str | None) -> None:
    """Some client sent a message matching this JSON (already, or within the time)."""
    session(context).mock.assert_receives(json, optional_duration(within))


@step(rf"the mock server sends {INLINE_JSON} to every client")
def sends_to_every_client(context: Any, json: str) -> None:
    """The mock server sends this message on every open connection."""
    session(context).mock.send_all(json)


@step(r"the mock server drops every connection")
def drops_every_connection(context: Any) -> None:
    """Cuts every connection's TCP stream, no closing handshake (a crash, a network loss)."""
    session(context).mock.drop_all()


@step(r'the mock server closes every connection with code (?P<code>\d+)(?: "(?P<reason>[^"]*)")?')
def closes_every_connection(context: Any, code: str, reason: str | None) -> None:
    """Closes every connection with this close code (1012: service restart) and reason."""
    session(context).mock.close_all(int(code), reason or "")


@step(
    r"the mock server refuses new connections with status (?P<status>\d+)"
    rf" for (?P<value>{DURATION})"
)
def refuses(context: Any, status: str, value: str) -> None:
    """New handshakes get this HTTP status for this long, from now (the step returns at once)."""
    session(context).mock.refuse(int(status), parse_duration(value))


@step(rf"every client reconnects within (?P<within>{DURATION})")
def every_client_reconnects(context: Any, within: str) -> None:
    """Every client of the app connected again within this time of the drop, close or refusal."""
    session(context).mock.reconnects.reconnect(parse_duration(within))


@step(rf"the reconnections are spread over at least (?P<value>{DURATION})")
def reconnections_spread(context: Any, value: str) -> None:
    """The storm check: the clients' first attempts after the drop span at least this long."""
    session(context).mock.reconnects.spread(parse_duration(value))


@step(
    rf"the reconnect delays of each client grow at least (?P<factor>{_NUMBER}) times"
    r" per attempt"
)
def delays_grow(context: Any, factor: str) -> None:
    """Backoff: each client's median delay growth (bar its random first delay) reaches this."""
    session(context).mock.reconnects.backoff(float(factor))


@step(rf"the reconnect delays vary by at least (?P<percent>{_NUMBER})% between clients")
def delays_vary(context: Any, percent: str) -> None:
    """Jitter: the clients' first reconnect delays have stdev/mean of at least this."""
    session(context).mock.reconnects.jitter(float(percent) / 100)


use_step_matcher("parse")
