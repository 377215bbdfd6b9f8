"""What `wsbdd run` writes into the Allure results: statuses, labels, attachments, environment."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tests.features.harness import TOKENS, BehaveProject
from tests.reporting.conftest import step, wsbdd_run
from wsbdd.server.managed import ManagedServer

STATUS_STEPS = """
from wsbdd.steps import *  # noqa
from behave import step
from behave.api.pending_step import StepNotImplementedError


@step("a step that is not written yet")
def not_written(context):
    raise StepNotImplementedError("waiting for the API")


@step("a step that crashes")
def crashes(context):
    raise RuntimeError("boom")
"""

STATUS_HOOKS = """
from wsbdd.hooks import *  # noqa
from wsbdd import hooks


def before_scenario(context, scenario):
    hooks.before_scenario(context, scenario)
    if "broken_before" in scenario.tags:
        raise RuntimeError("set-up failed on purpose")


def after_scenario(context, scenario):
    hooks.after_scenario(context, scenario)
    if "broken_after" in scenario.tags:
        raise RuntimeError("tear-down failed on purpose")
"""


def test_behave_statuses_show_sensibly(project: BehaveProject) -> None:
    project.file("steps/wsbdd_steps.py", STATUS_STEPS)
    project.file("environment.py", STATUS_HOOKS)
    project.feature(
        """
        Feature: statuses
          Scenario: passes
            Given client A is connected as alice

          Scenario: fails
            Given client A is connected as alice
            Then client A receives {"type": "nothing-like-this"} within 200 ms

          Scenario: crashes
            Given a step that crashes

          Scenario: undefined
            Given client A is connected as alice
            Then something nobody has written

          Scenario: pending
            Given a step that is not written yet

          @broken_before
          Scenario: hook error before
            Given client A is connected as alice

          @broken_after
          Scenario: hook error after
            Given client A is connected as alice
        """
    )
    run, results = wsbdd_run(project)
    assert not run.passed
    tests = results.tests()

    def status(name: str) -> tuple[str, str]:
        test = tests[name]
        return test["status"], (test.get("statusDetails") or {}).get("message", "")

    assert status("passes") == ("passed", "")
    state, message = status("fails")
    assert state == "failed" and "client A did not receive" in message
    state, message = status("crashes")
    assert state == "broken" and "RuntimeError: boom" in message
    state, message = status("undefined")
    assert state == "broken"
    assert message.startswith("undefined step: Then something nobody has written")
    assert "@then(u'something nobody has written')" in message  # the snippet
    state, message = status("pending")
    assert state == "broken"
    assert message.startswith("pending step: Given a step that is not written yet")
    assert "waiting for the API" in message
    # allure-behave alone reports these two as "skipped" and "passed":
    state, message = status("hook error before")
    assert state == "broken"
    assert "HOOK-ERROR in before_scenario" in message and "set-up failed" in message
    assert step(tests["hook error before"], "Given client A")["status"] == "skipped"
    state, message = status("hook error after")
    assert state == "broken"
    assert "HOOK-ERROR in after_scenario" in message and "tear-down failed" in message


def test_tags_become_labels_and_links(project: BehaveProject) -> None:
    project.feature(
        """
        @allure.label.owner:carol @allure.label.epic:realtime
        Feature: chat
          @owner:alice @story:greeting @severity:critical @issue:WS-12
          @allure.link.spec:https://example.com/spec @smoke
          Scenario: tagged
            Given client A is connected as alice

          Scenario: untagged
            Given client A is connected as alice
        """
    )
    run, results = wsbdd_run(
        project, "-D", "AllureFormatter.issue_pattern=https://tracker.example/{}"
    )
    assert run.passed, run.output
    tagged = results.test("tagged")
    labels = {(label["name"], label["value"]) for label in tagged["labels"]}
    assert {
        ("owner", "alice"),
        ("story", "greeting"),
        ("severity", "critical"),
        ("epic", "realtime"),
        ("feature", "chat"),
        ("tag", "smoke"),
    } <= labels, labels
    assert ("severity", "normal") not in labels
    assert not any(name == "tag" and ":" in value for name, value in labels), labels
    links = {(link["type"], link["url"]) for link in tagged["links"]}
    assert links == {
        ("issue", "https://tracker.example/WS-12"),
        ("link", "https://example.com/spec"),
    }
    untagged = {(lb["name"], lb["value"]) for lb in results.test("untagged")["labels"]}
    assert ("severity", "normal") in untagged and ("story", "greeting") not in untagged


def test_each_client_gets_a_transcript_with_handshake_and_close(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: transcript
          Scenario: closed by the server
            Given client A is connected as alice
            And client B connects with no token
            When client A sends {"type": "ping"}
            Then client A receives {"type": "pong"}
            And client B is closed with code 4401
        """
    )
    run, results = wsbdd_run(project)
    assert run.passed, run.output
    test = results.test("closed by the server")
    a = results.attachment(test, "transcript A")
    assert "handshake: open, HTTP 101" in a
    assert "Upgrade: websocket" in a  # request headers
    assert '→ text   {"type": "ping"}' in a
    assert '← text   {"type":"pong"' in a
    b = results.attachment(test, "transcript B")
    assert 'close: closed by the server with code 4401 "unauthorized"' in b
    record = json.loads(results.attachment(test, "messages B.json"))
    assert record["close"]["code"] == 4401
    assert record["close"]["initiated_by"] == "server"
    assert record["handshake"]["status"] == 101
    assert record["handshake"]["url"].startswith("ws://127.0.0.1:")
    sent = [
        m
        for m in json.loads(results.attachment(test, "messages A.json"))["messages"]
        if m["direction"] == "sent"
    ]
    assert sent[0]["json"] == {"type": "ping"} and sent[0]["t_ms"] >= 0


def test_a_failed_expectation_attaches_expected_closest_and_diff(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: failure
          Scenario: wrong sender
            Given clients A and B are connected as alice and bob
            When client A sends {"type": "subscribe", "channel": "room:f1"}
            And client B sends {"type": "subscribe", "channel": "room:f1"}
            Then client B receives {"type": "subscribed"}
            When client B sends {"type": "message", "channel": "room:f1", "text": "hi"}
            Then client A receives {"type": "message", "from": "carol", "text": "hi"} within 300 ms
        """
    )
    run, results = wsbdd_run(project)
    assert not run.passed
    test = results.test("wrong sender")
    failed = step(test, "Then client A receives")
    assert failed["status"] == "failed"
    diff = results.attachment(failed, "failure diff")
    assert '"from": "carol"' in diff  # the expected value, pretty-printed
    assert '"from": "bob"' in diff  # the closest message
    assert '$.from: expected "carol", got "bob"' in diff
    record = json.loads(results.attachment(failed, "failure.json"))
    assert record["client"] == "A"
    assert record["expected"] == {"type": "message", "from": "carol", "text": "hi"}
    assert record["closest"]["json"]["from"] == "bob"
    assert [m["path"] for m in record["diff"]] == ["$.from"]
    passed = step(test, "Then client B receives")
    assert not passed.get("attachments")


def test_latency_steps_attach_a_table_and_a_chart(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: latency
          Scenario: fast enough
            Given the API profile "chat"
            And clients A and B are connected as alice and bob
            And client A is subscribed to room:lat
            And client B is subscribed to room:lat
            When client A publishes 40 messages to room:lat at 200 per second
            Then client B receives all 40 messages from client A within 5 s
            And the p95 delivery latency from client A to client B is below 500 ms
        """
    )
    run, results = wsbdd_run(project)
    assert run.passed, run.output
    latency = step(results.test("fast enough"), "And the p95 delivery latency")
    table = dict(
        line.split(",", 1) for line in results.attachment(latency, "latency A → B").splitlines()
    )
    assert table["samples"] == "40" and table["lost"] == "0"
    assert 0 < float(table["p50 (ms)"]) <= float(table["p95 (ms)"]) <= float(table["max (ms)"])
    chart = [a for a in latency["attachments"] if a["name"] == "latency A → B chart"]
    assert chart and chart[0]["type"] == "image/svg+xml"
    svg = ET.fromstring(results.attachment(latency, "latency A → B chart"))
    ns = "{http://www.w3.org/2000/svg}"
    bar_counts = [
        int(rect.findtext(f"{ns}title", "").rsplit(": ", 1)[1])
        for rect in svg.iter(f"{ns}rect")
        if rect.find(f"{ns}title") is not None
    ]
    assert sum(bar_counts) == 40  # every sample is in a bar
    texts = " ".join(t.text or "" for t in svg.iter(f"{ns}text"))
    assert "p95" in texts and "p99" in texts and "latency (ms)" in texts


def test_environment_section(project: BehaveProject, reference_server: ManagedServer) -> None:
    project.feature(
        """
        Feature: env
          Scenario: one
            Given client A is connected as alice
        """
    )
    # A console format of the user's own choice must not steal the results folder.
    run, results = wsbdd_run(project, "-f", "plain")
    assert run.passed, run.output
    assert "Given client A is connected as alice ... passed" in run.output
    assert len(results.tests()) == 1
    lines = (results.folder / "environment.properties").read_text().splitlines()
    props = dict(line.split("=", 1) for line in lines)
    assert props["environment"] == "test"
    assert props["target.url"] == reference_server.ws_url
    assert props["server"] == "none"
    assert props["event_loop"] == "asyncio"  # uvloop only when WSBDD_UVLOOP=1
    for key in ("wsbdd", "behave", "allure-behave", "websockets", "python"):
        assert props[f"version.{key}"][0].isdigit(), props


def test_no_configured_secret_reaches_the_results(
    project: BehaveProject, reference_server: ManagedServer
) -> None:
    # Tokens in the URL, in a header, in message bodies, in a failure message and
    # in a doc string the tester wrote; plus a target URL carrying a token.
    project.write_env(
        "test",
        {
            "WSBDD_SERVER": "none",
            "WSBDD_URL": f"{reference_server.ws_url}?token={TOKENS['WSBDD_TOKEN_CAROL']}",
            "WSBDD_HTTP_URL": reference_server.http_url,
            "WSBDD_TIMEOUT": "1 s",
            **TOKENS,
        },
    )
    project.feature(
        """
        Feature: secrets
          Scenario: tokens everywhere
            Given client A connects to "/ws?token=${WSBDD_TOKEN_ALICE}"
            And client B connects with headers:
              | header        | value                     |
              | Authorization | Bearer ${WSBDD_TOKEN_BOB} |
            And client C connects
            When client A sends {"type": "subscribe", "channel": "room:sec"}
            And client B sends {"type": "subscribe", "channel": "room:sec"}
            Then client B receives {"type": "subscribed", "channel": "room:sec"}
            Given the variable "secret" is "${WSBDD_TOKEN_ALICE}"
            When client A sends {"type": "message", "channel": "room:sec", "text": "${secret}"}
            Then client B receives {"type": "message", "text": "${secret}"}
            And client A receives within 300 ms:
              \"\"\"
              {"type": "never", "text": "bob-token and carol-token"}
              \"\"\"
        """
    )
    run, results = wsbdd_run(project)
    assert "1 failed" in run.output, run.output  # it ran to the end, then failed
    files = [p for p in results.folder.rglob("*") if p.is_file()]
    names = " ".join(p.name for p in files)
    for kind in ("-result.json", "-attachment.txt", "-attachment.json", "environment.properties"):
        assert kind in names, f"no {kind} file among {names}"
    for path in files:
        data = path.read_bytes()
        for token in TOKENS.values():
            assert token.encode() not in data, f"{token} leaked into {path.name}"
    assert b"***" in b"".join(p.read_bytes() for p in files)
