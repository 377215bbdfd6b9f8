"""Steps: HTTP triggers (requests to WSBDD_HTTP_URL)."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.steps._common import INLINE_JSON, doc_string, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


@step(
    r'I send an? (?P<method>GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) request to "(?P<target>[^"]+)"'
    r"(?: as (?P<identity>[\w.@-]+))?(?P<has_body> with:)?"
)
def send_request(
    context: Any, method: str, target: str, identity: str | None, has_body: str | None
) -> None:
    """Sends an HTTP request (as alice: with alice's Bearer token; with: a JSON body below)."""
    body = doc_string(context, f"{method} ... with:") if has_body else None
    session(context).http.request(method, target, identity, body)


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
