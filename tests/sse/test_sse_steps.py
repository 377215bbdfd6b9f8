"""The SSE and event phrases through behave, as a user runs them, against real servers.

An sse-starlette app under uvicorn (a thread, port 0) plays the feeds, good and
bad; the reference server's /sse/<channel> is covered by features/sse.feature.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tests.features.harness import TOKENS, BehaveProject
from tests.http.http_app import serving_in_thread


async def ticker(request: Request) -> Response:
    """Two prices and a note, then silence (the stream stays open)."""

    async def events() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(json.dumps({"symbol": "ACME", "price": 10}), event="price", id="41")
        yield ServerSentEvent(json.dumps({"symbol": "INIT", "price": 3}), event="price", id="42")
        yield ServerSentEvent("just text", event="note", id="43")
        auth = request.headers.get("authorization", "none")
        yield ServerSentEvent(json.dumps({"auth": auth}), event="whoami")
        await asyncio.Event().wait()

    return EventSourceResponse(events(), ping=60)


async def once(request: Request) -> Response:
    async def events() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(json.dumps({"last": request.headers.get("last-event-id")}), id="7")

    return EventSourceResponse(events(), ping=60)


async def resume(request: Request) -> Response:
    """Says which Last-Event-ID it got, with id 7, and stays open."""

    async def events() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(json.dumps({"last": request.headers.get("last-event-id")}), id="7")
        await asyncio.Event().wait()

    return EventSourceResponse(events(), ping=60)


async def big(request: Request) -> Response:
    async def events() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(json.dumps({"blob": "x" * (10 * 2**20)}), event="big")
        await asyncio.Event().wait()

    return EventSourceResponse(events(), ping=60)


async def html(request: Request) -> Response:
    return HTMLResponse("<html>not a stream</html>")


async def forbidden(request: Request) -> Response:
    return Response('{"error": "forbidden"}', status_code=403, media_type="application/json")


APP = Starlette(
    routes=[
        Route("/ticker", ticker),
        Route("/once", once),
        Route("/resume", resume),
        Route("/big", big),
        Route("/html", html),
        Route("/forbidden", forbidden),
    ]
)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving_in_thread(app=APP) as url:
        yield url


def _project(tmp_path: Path, base_url: str) -> BehaveProject:
    env = {
        "WSBDD_SERVER": "none",
        "WSBDD_URL": "ws://127.0.0.1:9/ws",
        "WSBDD_HTTP_URL": base_url,
        "WSBDD_TIMEOUT": "2 s",
        "WSBDD_PROFILE": "chat",
        **TOKENS,
    }
    return BehaveProject(tmp_path / "p", env)


PASSING = """
Feature: SSE phrases

  Scenario: events by name, payload and id
    Given client A is connected to "/ticker" over SSE
    Then client A receives the event "price" within 1 s
    And the last message of client A has event id "41"
    Then client A receives the event "price" with {"symbol": "INIT"} within 1 s
    And the last message of client A has event id "42"
    And client A receives the text "just text"
    And client A receives no event "price" within 200 ms

  Scenario: as alice, the token travels as the profile says, and headers go along
    Given the HTTP headers:
      | header | value            |
      | Accept | application/json |
    Given client A is connected to "/ticker" over SSE with headers:
      | header        | value             |
      | Authorization | Bearer hand-made  |
    Then client A receives the event "whoami" with {"auth": "Bearer hand-made"} within 1 s

  Scenario: the server ending the stream is a server close
    Given client A connects to "/once" over SSE with headers:
      | header        | value |
      | Last-Event-ID | 5     |
    Then client A receives {"last": "5"} within 1 s
    And client A is closed by the server within 1 s

  Scenario: a reconnect sends the latest Last-Event-ID
    Given client A is connected to "/resume" over SSE
    Then client A receives {"last": null} within 1 s
    When client A reconnects
    Then client A receives {"last": "7"} within 1 s

  Scenario: a refusal is a rejected handshake
    Given client A connects to "/forbidden" over SSE
    Then client A's handshake is rejected with status 403

  Scenario: one 10 MiB event arrives whole
    Given client A is connected to "/big" over SSE
    Then client A receives the event "big" within 10 s
"""

FAILING = """
Feature: SSE failures read well

  Scenario: an event that never comes
    Given client A is connected to "/ticker" over SSE
    Then client A receives the event "trade" within 300 ms

  Scenario: an event that should not come
    Given client A is connected to "/ticker" over SSE
    Then client A receives no event "note" within 300 ms

  Scenario: the wrong id
    Given client A is connected to "/ticker" over SSE
    Then client A receives the event "price" within 1 s
    And the last message of client A has event id "99"

  Scenario: not an event stream
    Given client A is connected to "/html" over SSE

  Scenario: sending on a stream
    Given client A is connected to "/ticker" over SSE
    When client A sends {"type": "hello"}
"""


def test_the_sse_phrases_work_as_written(tmp_path: Path, base_url: str) -> None:
    project = _project(tmp_path, base_url)
    project.feature(PASSING)
    run = project.run()
    assert run.passed, run.output
    assert run.summary_line("6 scenarios") == "6 scenarios passed, 0 failed, 0 skipped"


def test_the_sse_failures_say_what_was_expected_and_what_came(
    tmp_path: Path, base_url: str
) -> None:
    project = _project(tmp_path, base_url)
    project.feature(FAILING)
    run = project.run()
    out = run.output
    summary = run.summary_line("0 scenarios")
    assert summary == "0 scenarios passed, 4 failed, 1 error, 0 skipped", out
    assert 'client A did not receive the event "trade" within 300 ms' in out
    assert 'events received and not consumed: "price" ×2, "note" ×1, "whoami" ×1' in out
    assert 'client A expected no event "note" for 300 ms, but received #2 ' in out
    assert "before the step started (not consumed): just text" in out
    assert 'client A\'s last message has event id "41", expected event id "99"' in out
    assert "status 200 with Content-Type text/html; charset=utf-8, not text/event-stream" in out
    assert "an SSE connection only receives" in out
