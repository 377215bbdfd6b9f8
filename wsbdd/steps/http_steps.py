"""Steps: HTTP requests (to WSBDD_HTTP_URL): headers, bodies, the response and its headers."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.steps._common import INLINE_JSON, doc_string, session, table_rows

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


def _header_rows(context: Any, step_hint: str) -> list[tuple[str, str]]:
    rows = table_rows(context, ("header", "value"), step_hint)
    return [(row["header"], row["value"]) for row in rows]


@step(r"the HTTP headers:")
def http_headers(context: Any) -> None:
    """Every later HTTP request of the scenario sends these headers (a request may override)."""
    session(context).http.set_headers(_header_rows(context, "the HTTP headers:"))


@step(
    r'I send an? (?P<method>GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) request to "(?P<target>[^"]+)"'
    r"(?: as (?P<identity>[\w.@-]+))?"
    r'(?: with(?P<has_body>:)| with (?:(?P<has_headers>headers:)|the text "(?P<text>.*)"'
    r'|content type "(?P<content_type>[^"]+)":))?'
)
def send_request(
    context: Any,
    method: str,
    target: str,
    identity: str | None,
    has_body: str | None,
    has_headers: str | None,
    text: str | None,
    content_type: str | None,
) -> None:
    """Sends an HTTP request (as alice: her Bearer token; with: a JSON body; or headers, text)."""
    body: str | None = None
    headers: list[tuple[str, str]] = []
    if has_body:
        body = doc_string(context, f"{method} ... with:")
    elif content_type is not None:
        body = doc_string(context, f'{method} ... with content type "{content_type}":')
    elif has_headers:
        headers = _header_rows(context, f"{method} ... with headers:")
    session(context).http.request(
        method, target, identity, body, text=text, content_type=content_type, headers=headers
    )


@step(r'the response header "(?P<header>[^"]+)" is "(?P<value>.*)"')
def response_header_is(context: Any, header: str, value: str) -> None:
    """The last HTTP response has this header with exactly this value."""
    session(context).http.assert_header_is(header, value)


@step(r'the response header "(?P<header>[^"]+)" matches "(?P<pattern>.*)"')
def response_header_matches(context: Any, header: str, pattern: str) -> None:
    """The last HTTP response has this header, matching this regular expression."""
    session(context).http.assert_header_matches(header, pattern)


@step(r'the response body contains "(?P<text>.*)"')
def response_body_contains(context: Any, text: str) -> None:
    """The last HTTP response's body contains this text."""
    session(context).http.assert_body_contains(text)


@step(r'I save the response header "(?P<header>[^"]+)" as "(?P<variable>[^"]+)"')
def save_response_header(context: Any, header: str, variable: str) -> None:
    """Stores a header of the last HTTP response as ${variable}."""
    session(context).http.save_header(header, variable)


@step(r"the response status is (?P<status>\d{3})")
def response_status(context: Any, status: str) -> None:
    """The last HTTP response had this status code."""
    session(context).http.assert_status(int(status))


@step(r"the response body matches:")
def response_body_doc(context: Any) -> None:
    """The last HTTP response's JSON body matches the doc string (partial match)."""
    s = session(context)
    s.http.assert_response_body(s.json(doc_string(context, "the response body matches:")))


@step(rf"the response body matches {INLINE_JSON}")
def response_body_inline(context: Any, json: str) -> None:
    """The last HTTP response's JSON body matches this JSON (partial match)."""
    s = session(context)
    s.http.assert_response_body(s.json(json))


@step(r'I save "(?P<path>[^"]+)" from the response as "(?P<variable>[^"]+)"')
def save_from_response(context: Any, path: str, variable: str) -> None:
    """Stores a field of the last HTTP response's JSON body as ${variable}."""
    session(context).http.save_from_response(path, variable)


use_step_matcher("parse")
