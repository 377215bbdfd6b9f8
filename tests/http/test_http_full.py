"""HTTP in full: headers, bodies, response headers, cookies, deadlines, event-stream answers.

Against a real Starlette app under uvicorn on port 0: the runtime directly, and
the step phrases through behave as a user runs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.features.harness import TOKENS, BehaveProject
from tests.http.http_app import serving_in_thread
from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.records import now
from wsbdd.runtime.http import HttpTrigger


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving_in_thread() as url:
        yield url


def test_a_trickling_body_fails_within_the_total_deadline(base_url: str) -> None:
    http = HttpTrigger(base_url, timeout=0.5)
    started = now()
    with pytest.raises(ExpectationFailed) as failure:
        http.request("GET", "/trickle")
    assert now() - started < 1.5
    text = str(failure.value)
    assert "got no complete response within 500 ms" in text
    assert "the deadline covers connecting, the headers and the whole body" in text


def test_an_event_stream_answer_fails_at_once_pointing_to_the_sse_phrases(base_url: str) -> None:
    http = HttpTrigger(base_url, timeout=5)
    started = now()
    with pytest.raises(ExpectationFailed) as failure:
        http.request("GET", "/events")
    assert now() - started < 1.0
    text = str(failure.value)
    assert "answered 200 with an event stream (Content-Type: text/event-stream" in text
    assert '"/events" over SSE' not in text  # the full URL is named, not a guess of the path
    assert f'connects to "{base_url}/events" over SSE' in text


def test_the_cookie_jar_keeps_set_cookie_and_sends_it_back(base_url: str) -> None:
    http = HttpTrigger(base_url, timeout=5)
    jar = httpx.Cookies()
    http.request("GET", "/login", cookies=jar)
    assert jar.get("session") == "s3cr3t-cookie"
    assert http.request("GET", "/whoami", cookies=jar).payload == {"session": "s3cr3t-cookie"}
    assert http.request("GET", "/whoami").payload == {"session": None}


FEATURE = """
Feature: HTTP in full

  Scenario: headers, bodies and response headers
    Given the HTTP headers:
      | header  | value      |
      | X-Trace | scenario-1 |
    When I send a GET request to "/pub/a"
    Then the response body contains "plain answer"
    When I send a GET request to "/pub/a" with headers:
      | header | value            |
      | Accept | application/json |
    Then the response header "Content-Type" is "application/json"
    And the response body matches {"accept": "json", "trace": "scenario-1"}
    When I send a POST request to "/pub/a" with the text "hello"
    Then the response status is 201
    And the response header "Location" matches "^/orders/[0-9a-f-]+$"
    And the response body contains "queued messages: 1 (hello; text/plain; charset=utf-8)"
    When I save the response header "Location" as "order_url"
    When I send a POST request to "/form" with content type "application/x-www-form-urlencoded":
      \"\"\"
      a=1&b=${order_url}
      \"\"\"
    Then the response body matches {"type": "application/x-www-form-urlencoded"}
    And the response body contains "a=1&b=/orders/"

  Scenario: cookies stay for the scenario
    When I send a GET request to "/login"
    And I send a GET request to "/whoami"
    Then the response body matches {"session": "s3cr3t-cookie"}

  Scenario: a new scenario has a new jar
    When I send a GET request to "/whoami"
    Then the response body matches {"session": null}
"""

FAILING = """
Feature: HTTP failures read well

  Scenario: wrong header value
    When I send a GET request to "/pub/a"
    Then the response header "Content-Type" is "application/json"

  Scenario: missing header
    When I send a GET request to "/pub/a"
    Then the response header "Location" matches "^/orders/"

  Scenario: body without the text
    When I send a GET request to "/pub/a"
    Then the response body contains "queued messages"

  Scenario: an event stream
    When I send a GET request to "/events"
"""


def _project(tmp_path: Path, base_url: str) -> BehaveProject:
    env = {
        "WSBDD_SERVER": "none",
        "WSBDD_URL": "ws://127.0.0.1:9/ws",
        "WSBDD_HTTP_URL": base_url,
        "WSBDD_TIMEOUT": "2 s",
        **TOKENS,
    }
    return BehaveProject(tmp_path / "p", env)


def test_the_http_phrases_work_as_written(tmp_path: Path, base_url: str) -> None:
    project = _project(tmp_path, base_url)
    project.feature(FEATURE)
    run = project.run()
    assert run.passed, run.output
    assert run.summary_line("3 scenarios") == "3 scenarios passed, 0 failed, 0 skipped"


def test_the_http_failures_say_what_was_expected_and_what_came(
    tmp_path: Path, base_url: str
) -> None:
    project = _project(tmp_path, base_url)
    project.feature(FAILING)
    run = project.run()
    out = run.output
    assert run.summary_line("0 scenarios") == "0 scenarios passed, 4 failed, 0 skipped", out
    assert (
        'the response header "Content-Type" is "text/plain; charset=utf-8", expected '
        '"application/json"' in out
    )
    assert 'answered 200 without a "Location" header (headers: content-length' in out
    assert 'the response body does not contain "queued messages"' in out
    assert "body: plain answer" in out
    assert "with an event stream (Content-Type: text/event-stream" in out
    assert "over SSE" in out
