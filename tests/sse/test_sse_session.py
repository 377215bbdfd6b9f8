"""An over-SSE connection's URL, headers (scenario, step, cookies; SSE's own win) and resume id."""

from __future__ import annotations

from typing import Any, cast

import httpx
import pytest

from wsbdd.core.exceptions import ConfigError
from wsbdd.core.records import Message
from wsbdd.runtime.request import ConnectRequest
from wsbdd.session.http import HttpExchange
from wsbdd.session.sse import last_event_id, sse_headers, sse_url, with_last_event_id


class _Session:
    """The one thing HttpExchange's header handling asks of its arguments: ``${var}`` filling."""

    def text(self, value: str) -> str:
        return value.replace("${x}", "filled")


def _exchange() -> HttpExchange:
    none = cast(Any, None)
    return HttpExchange(none, cast(Any, _Session()), none, none, none)


def test_a_path_resolves_against_the_http_url_and_an_absolute_url_is_kept() -> None:
    assert sse_url("http://h:1/api/", "/events", "env") == "http://h:1/api/events"
    assert sse_url("http://h:1", None, "env") == "http://h:1"
    assert sse_url(None, "https://other/x", "env") == "https://other/x"
    with pytest.raises(ConfigError, match="WSBDD_HTTP_URL: is not set"):
        sse_url(None, "/events", "environments/local.env")


def test_scenario_headers_step_headers_and_cookies_go_but_sse_keeps_its_accept() -> None:
    exchange = _exchange()
    exchange.set_headers([("Accept", "application/json"), ("X-Scenario", "${x}")])
    exchange.cookies.set("session", "abc", domain="127.0.0.1", path="/")
    headers = sse_headers(exchange, "http://127.0.0.1:8/events", [("X-Step", "1")])
    assert ("X-Scenario", "filled") in headers and ("X-Step", "1") in headers
    assert ("Cookie", "session=abc") in headers
    accepts = [v for k, v in headers if k.lower() == "accept"]
    assert accepts == ["text/event-stream"]
    assert ("Cache-Control", "no-store") in headers


def test_the_cookie_jar_answers_for_websocket_urls_too() -> None:
    exchange = _exchange()
    exchange.cookies.extract_cookies(
        httpx.Response(
            200,
            headers={"Set-Cookie": "sid=s1; Path=/"},
            request=httpx.Request("GET", "http://127.0.0.1:9/login"),
        )
    )
    assert exchange.cookie_header("ws://127.0.0.1:9/ws") == "sid=s1"
    assert exchange.cookie_header("http://example.com/") is None


def test_a_reconnect_sends_the_latest_event_id_replacing_the_steps() -> None:
    def message(index: int, meta: dict[str, Any]) -> Message:
        found = Message.parse("F", index, "{}", 0.0)
        found.meta = meta
        return found

    messages = [message(0, {"id": "4"}), message(1, {"id": "5"}), message(2, {"id": None})]
    assert last_event_id(messages) == "5"
    assert last_event_id([message(0, {})]) is None
    request = ConnectRequest("ws://127.0.0.1:9/x", headers=[("Last-Event-ID", "1"), ("A", "b")])
    resumed = with_last_event_id(request, "5")
    assert resumed.headers == (("A", "b"), ("Last-Event-ID", "5"))
    assert with_last_event_id(request, None) is request
