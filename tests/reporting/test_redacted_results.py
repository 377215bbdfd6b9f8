"""Secrets never reach the console or the Allure results, whichever way they come.

Each test runs ``wsbdd run`` on a small project and searches its console
output and every file of its results folder for every secret of the test:

* a token the *server* issues at run time under ``access_token``, while the
  expected side of the failure (``"{{integer}}"``) is shown as written;
* tokens of a ``Given the tokens:`` table and values of a ``connects with
  headers:`` table (X-Api-Key, Cookie), which the tables' CSV attachments
  used to carry unmasked;
* Scenario Outline example values under a sensitive heading (result parameters);

and a big frame is cut in the attachments, with a marker.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection

from tests.features.harness import BehaveProject, BehaveRun, server_env
from tests.integration.fixture_servers import ServerThread
from tests.reporting.conftest import Results, step, wsbdd_run
from wsbdd.server.managed import ManagedServer

ISSUED = "srv-issued-7f3a9c1e5b"
BIG = 300_000


def leaks(run: BehaveRun, results: Results, secrets: list[str]) -> list[str]:
    """Where any of ``secrets`` appears: ``console`` or a results file name."""
    found = [f"console: {s}" for s in secrets if s in run.output]
    for path in Path(results.folder).iterdir():
        data = path.read_bytes()
        found += [f"{path.name}: {s}" for s in secrets if s.encode() in data]
    return found


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    """A server that greets with a token it issues, then echoes a big frame on request."""
    servers = ServerThread()

    async def handler(ws: ServerConnection) -> None:
        await ws.send(json.dumps({"type": "welcome", "access_token": ISSUED, "user": "bob"}))
        async for message in ws:
            if json.loads(message).get("type") == "big":
                await ws.send(json.dumps({"type": "big", "data": "y" * BIG, "again": ISSUED}))
            else:
                await ws.send(json.dumps({"type": "echo", "saw": f"token {ISSUED}"}))

    try:
        yield servers.websocket(handler).url
    finally:
        servers.close()


@pytest.fixture
def issuer_project(tmp_path: Path, reference_server: ManagedServer, issuer: str) -> BehaveProject:
    return BehaveProject(tmp_path / "project", server_env(reference_server, ISSUER_URL=issuer))


def test_a_token_the_server_issued_is_hidden_and_the_matcher_shown_as_written(
    issuer_project: BehaveProject,
) -> None:
    issuer_project.feature(
        """
        Feature: issued tokens
          Scenario: the server issues a token
            Given client A connects to "${ISSUER_URL}"
            When client A sends {"type": "hello"}
            Then client A receives {"type": "echo"} within 2 s
            And client A receives {"type": "welcome", "access_token": "{{integer}}"} within 300 ms
        """
    )
    run, results = wsbdd_run(issuer_project)
    assert not run.passed
    assert leaks(run, results, [ISSUED]) == []
    assert '"access_token": "{{integer}}"' in run.output  # the expectation, as written
    failed = step(results.test("the server issues a token"), "And client A receives")
    record = json.loads(results.attachment(failed, "failure.json"))
    assert record["expected"]["access_token"] == "{{integer}}"
    assert record["closest"]["json"]["access_token"] == "***"
    assert "$.access_token: expected an integer" in results.attachment(failed, "failure diff")


def test_an_issued_token_is_hidden_where_it_shows_without_its_key(
    issuer_project: BehaveProject,
) -> None:
    # The welcome (with the access_token key) is not among the last messages the
    # failure lists: only what the run learnt from the wire hides the echoes' copies.
    issuer_project.feature(
        """
        Feature: issued tokens, later
          Scenario: echoes of the token
            Given client A connects to "${ISSUER_URL}"
            Then client A receives {"type": "welcome"} within 2 s
            When client A sends 6 messages:
              \"\"\"
              {"type": "hello", "n": ${i}}
              \"\"\"
            Then client A receives {"type": "echo", "saw": "nothing"} within 300 ms
        """
    )
    run, results = wsbdd_run(issuer_project)
    assert not run.passed
    assert "last 5 of 6 messages" in run.output and '"saw": "token ***"' in run.output
    assert leaks(run, results, [ISSUED]) == []


def test_table_tokens_and_header_values_are_hidden_in_csv_console_and_transcripts(
    project: BehaveProject,
) -> None:
    secrets = ["table-token-4242", "hdr-key-9999", "cookie-sess-777"]
    project.feature(
        """
        Feature: tables
          Scenario: tokens and headers
            Given the tokens:
              | user  | token            |
              | dave  | table-token-4242 |
            And client A connects with headers:
              | header    | value               |
              | X-Api-Key | hdr-key-9999        |
              | Cookie    | sid=cookie-sess-777 |
            Then client A receives {"type": "never-sent"} within 200 ms
        """
    )
    run, results = wsbdd_run(project, "-f", "pretty")
    assert not run.passed
    assert leaks(run, results, secrets) == []
    test = results.test("tokens and headers")
    tables = step(test, "Given the tokens"), step(test, "And client A connects with headers")
    assert "dave,***" in results.attachment(tables[0], ".table")
    assert "X-Api-Key,***" in results.attachment(tables[1], ".table")
    assert "X-Request-Id" not in results.attachment(tables[1], ".table")


def test_without_allure_the_console_still_hides_table_secrets(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: tables, console only
          Scenario: headers
            Given client A connects with headers:
              | header        | value                 |
              | Authorization | Bearer console-777777 |
              | X-Api-Key     | console-key-888       |
            Then client A receives {"type": "never-sent"} within 200 ms
        """
    )
    run, _ = wsbdd_run(project, "--no-allure", "-f", "pretty")
    assert not run.passed and "| X-Api-Key     | ***" in run.output, run.output
    assert "console-777777" not in run.output and "console-key-888" not in run.output


def test_outline_example_values_under_sensitive_headings_are_hidden(
    project: BehaveProject,
) -> None:
    project.feature(
        """
        Feature: outlines
          Scenario Outline: log in as <user>
            Given the variable "who" is "<user>"
            And the variable "note" is "<password>"
            And client A connects with token "<credential>"

            Examples:
              | user | password           | credential         |
              | dave | outline-secret-555 | outline-cred-66666 |
        """
    )
    run, results = wsbdd_run(project, "-f", "pretty")
    assert run.passed, run.output
    assert leaks(run, results, ["outline-secret-555", "outline-cred-66666"]) == []
    test = results.test("log in as dave -- @1.1 ")
    parameters = {p["name"]: p["value"] for p in test["parameters"]}
    assert parameters == {"user": "dave", "password": "***", "credential": "***"}


def test_a_big_frame_is_cut_in_the_attachments_with_a_marker(
    issuer_project: BehaveProject,
) -> None:
    issuer_project.feature(
        """
        Feature: big
          Scenario: a big frame
            Given client A connects to "${ISSUER_URL}"
            When client A sends {"type": "big"}
            Then client A receives {"type": "big"} within 5 s
        """
    )
    run, results = wsbdd_run(issuer_project)
    assert run.passed, run.output
    assert leaks(run, results, [ISSUED]) == []
    test = results.test("a big frame")
    text = results.attachment(test, "transcript A")
    cut = re.search(r"y… \((\d+) chars, the first 4096 shown\)", text)
    assert cut is not None, text[-300:]
    size = int(cut[1])
    assert BIG < size < BIG + 100
    assert len(text) < 20_000
    messages = json.loads(results.attachment(test, "messages A.json"))["messages"]
    big = [m for m in messages if m.get("size") == size]
    assert big and big[0]["cut"] is True and len(big[0]["text"]) == 65536
