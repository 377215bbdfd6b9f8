"""The reporting pieces on their own: text, JSON, charts, properties, statuses, tags."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Any

import pytest
from behave.model_type import Status as BehaveStatus

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.matching import closest
from wsbdd.core.records import (
    CloseInfo,
    ConnectOutcome,
    ConnectResult,
    HandshakeInfo,
    Message,
    TranscriptEvent,
)
from wsbdd.core.redaction import Redactor
from wsbdd.core.timing import LatencyStats
from wsbdd.reporting.allure_formatter import expand_short_tag
from wsbdd.reporting.failure import failure_json, has_details, render_failure
from wsbdd.reporting.latency import (
    LatencyLimit,
    histogram,
    latency_svg,
    latency_table,
    nice_step,
)
from wsbdd.reporting.run_environment import allure_results_dirs, render_properties
from wsbdd.reporting.statuses import scenario_outcome, step_outcome
from wsbdd.reporting.transcript import TEXT_EVENT_LIMIT, ClientRecord, client_json, render_client

SECRET = "s3cr3t-token"
SVG = "{http://www.w3.org/2000/svg}"


def _record(events: list[TranscriptEvent], close: CloseInfo | None) -> ClientRecord:
    handshake = HandshakeInfo(
        url=f"ws://127.0.0.1:9/ws?token={SECRET}",
        request_headers=(("Host", "127.0.0.1:9"), ("Authorization", f"Bearer {SECRET}")),
        status=101,
        response_headers=(("Sec-WebSocket-Protocol", "chat.v1"),),
        subprotocol="chat.v1",
    )
    return ClientRecord(
        "A", ConnectResult(ConnectOutcome.OPEN, handshake, 0.004), close, tuple(events)
    )


def test_a_client_transcript_has_handshake_frames_and_close() -> None:
    events = [
        TranscriptEvent(10.010, "sent", "text", f'{{"type": "auth", "token": "{SECRET}"}}'),
        TranscriptEvent(10.020, "received", "text", '{"type":"ok"}', {"index": 0}),
        TranscriptEvent(10.030, "received", "binary", b"\x01\x02"),
    ]
    close = CloseInfo(4401, "unauthorized", "server", True, 10.5)
    text = render_client(_record(events, close), 10.0, Redactor([SECRET]))
    assert "client A  ws://127.0.0.1:9/ws?token=***" in text
    assert "handshake: open, HTTP 101, subprotocol chat.v1, 4.0 ms" in text
    assert "Authorization: Bearer ***" in text
    assert "(t = time since the scenario started)" in text
    assert 't=    10.000 ms → text   {"type": "auth", "token": "***"}' in text
    assert 't=    20.000 ms ← text   {"type":"ok"}' in text
    assert "← binary <binary 2 bytes: 0102>" in text
    assert 'close: closed by the server with code 4401 "unauthorized" at t=500.0 ms' in text
    assert SECRET not in text
    record = client_json(_record(events, close), 10.0, Redactor([SECRET]))
    assert record["close"] == {
        "code": 4401,
        "reason": "unauthorized",
        "initiated_by": "server",
        "clean": True,
        "t_ms": 500.0,
    }
    assert record["messages"][0]["json"] == {"type": "auth", "token": "***"}
    assert record["messages"][2]["hex"] == "0102"
    assert SECRET not in json.dumps(record)


def test_a_long_transcript_is_cut_in_the_text_only() -> None:
    events = [
        TranscriptEvent(i / 1000, "received", "text", f"m{i}") for i in range(TEXT_EVENT_LIMIT + 10)
    ]
    record = _record(events, None)
    text = render_client(record, 0.0, Redactor())
    assert f"({TEXT_EVENT_LIMIT + 10} events: the first" in text
    assert "m0\n" in text and f"m{TEXT_EVENT_LIMIT + 9}\n" in text
    assert "m4005\n" not in text  # in the cut middle
    assert "close: still open" in text
    assert len(client_json(record, 0.0, Redactor())["messages"]) == TEXT_EVENT_LIMIT + 10


def _failure(expected: Any, messages: list[Message]) -> ExpectationFailed:
    found = closest(messages, expected)
    assert found is not None
    return ExpectationFailed(
        "client A did not receive it within 1 s",
        client="A",
        expected=expected,
        closest=found[0],
        diff=found[1],
    )


def test_the_failure_diff_shows_expected_closest_and_each_difference() -> None:
    messages = [
        Message.parse("A", 0, '{"type": "welcome"}', 5.0),
        Message.parse("A", 1, f'{{"type": "message", "from": "bob", "key": "{SECRET}"}}', 5.25),
    ]
    error = _failure({"type": "message", "from": "alice", "text": "hi"}, messages)
    text = render_failure(error, 5.0, Redactor([SECRET]))
    assert text.startswith("client A did not receive it within 1 s\n")
    assert 'expected:\n  {\n    "type": "message",\n    "from": "alice",' in text
    assert (
        "closest message: #1, received at t=250.0 ms (t = time since the scenario started)" in text
    )
    assert '"from": "bob"' in text
    assert '$.from: expected "alice", got "bob"' in text
    assert "$.text: missing key" in text
    assert SECRET not in text
    record = failure_json(error, 5.0, Redactor([SECRET]))
    assert [d["path"] for d in record["diff"]] == ["$.from", "$.text"]
    assert record["diff"][1]["actual"] == "(missing)"
    assert record["closest"]["json"]["key"] == "***"


def test_only_failures_with_details_get_a_diff() -> None:
    assert not has_details(ExpectationFailed("client A is still open"))
    assert not has_details(AssertionError("plain"))
    assert has_details(ExpectationFailed("x", expected={"a": 1}))
    text = render_failure(ExpectationFailed("x", client="A", expected={"a": 1}), 0.0, Redactor())
    assert "closest message: none (no message was received)" in text


def test_nice_steps_and_histogram_bins() -> None:
    assert [nice_step(s) for s in (1.0, 7.0, 60.0, 0.3)] == [0.2, 2.0, 10.0, 0.05]
    bins = histogram([0.0, 1.0, 9.99, 10.0])
    assert sum(b.count for b in bins) == 4
    assert bins[0].low == 0.0 and bins[-1].high == pytest.approx(10.0)
    assert bins[-1].count == 2  # the largest sample lands in the last bar
    assert histogram([]) == []


def test_the_latency_chart_is_svg_with_bars_and_percentiles() -> None:
    samples = [0.001 * i for i in range(1, 101)]
    stats = LatencyStats.from_samples(samples)
    root = ET.fromstring(latency_svg(samples, stats, "A → B"))
    assert root.tag == f"{SVG}svg"
    counts = [
        int((r.findtext(f"{SVG}title") or "").rsplit(": ", 1)[1])
        for r in root.iter(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None
    ]
    assert sum(counts) == 100
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "A → B" in texts
    assert "p95 95.0 ms" in texts and "p99 99.0 ms" in texts and "p50 50.0 ms" in texts
    empty = ET.fromstring(latency_svg([], LatencyStats.from_samples([], lost=3), "none"))
    assert "no samples" in [t.text for t in empty.iter(f"{SVG}text")]


def test_the_latency_table() -> None:
    table = latency_table(LatencyStats.from_samples([0.002, 0.004], lost=1))
    rows = dict(line.split(",") for line in table.splitlines())
    assert rows["samples"] == "2" and rows["lost"] == "1"
    assert rows["p50 (ms)"] == "2.00" and rows["max (ms)"] == "4.00"


def test_environment_properties_are_escaped() -> None:
    text = render_properties({"target url": "ws://h/x?a=b", "note": "two\nlines \\ here"})
    assert text == "target\\ url=ws://h/x?a=b\nnote=two\\nlines \\\\ here\n"


def test_results_folders_come_from_behave_allure_formats() -> None:
    config = SimpleNamespace(
        format=["wsbdd.reporting.allure_formatter:AllureFormatter", "pretty", "allure_x"],
        outputs=[SimpleNamespace(name="out/results")],
    )
    assert [str(p) for p in allure_results_dirs(config)] == ["out/results"]


@pytest.mark.parametrize(
    ("tag", "full"),
    [
        ("owner:alice", "allure.label.owner:alice"),
        ("story:reconnect", "allure.label.story:reconnect"),
        ("severity:critical", "allure.label.severity:critical"),
        ("issue:WS-12", "allure.issue:WS-12"),
        ("link:https://x.example/a", "allure.link:https://x.example/a"),
        ("smoke", None),
        ("bug.slow_push", None),
        ("colour:red", None),
    ],
)
def test_short_tags(tag: str, full: str | None) -> None:
    assert expand_short_tag(tag) == full


def _step(status: BehaveStatus, exception: BaseException | None = None, **more: Any) -> Any:
    return SimpleNamespace(
        status=status,
        exception=exception,
        exc_traceback=None,
        keyword="Given",
        name="a step",
        error_message=None,
        **more,
    )


def test_step_statuses() -> None:
    from behave.api.pending_step import StepNotImplementedError

    assert step_outcome(_step(BehaveStatus.passed))[0] == "passed"
    assert step_outcome(_step(BehaveStatus.failed, AssertionError("no")))[0] == "failed"
    assert step_outcome(_step(BehaveStatus.error, RuntimeError("x")))[0] == "broken"
    status, details = step_outcome(_step(BehaveStatus.pending, StepNotImplementedError("later")))
    assert status == "broken" and details is not None
    assert details.message.startswith("pending step: Given a step") and "later" in details.message
    assert step_outcome(_step(BehaveStatus.pending_warn))[0] == "skipped"
    assert step_outcome(_step(BehaveStatus.untested))[0] == "skipped"
    hook = _step(BehaveStatus.hook_error)
    hook.error_message = "HOOK-ERROR in after_step: ValueError: v"
    status, details = step_outcome(hook)
    assert status == "broken" and details is not None and details.message.startswith("HOOK-ERROR")


def test_scenario_statuses() -> None:
    def scenario(*steps: Any, hook_failed: bool = False) -> Any:
        return SimpleNamespace(
            all_steps=list(steps),
            hook_failed=hook_failed,
            status=BehaveStatus.passed,
            error_message="HOOK-ERROR in before_scenario: RuntimeError: r" if hook_failed else None,
            exception=None,
            exc_traceback=None,
            feature=SimpleNamespace(hook_failed=False),
        )

    assert scenario_outcome(scenario(_step(BehaveStatus.passed)))[0] == "passed"
    failed = scenario(_step(BehaveStatus.failed, AssertionError("no")), hook_failed=True)
    assert scenario_outcome(failed)[0] == "failed"  # the step's failure comes first
    status, details = scenario_outcome(scenario(_step(BehaveStatus.untested), hook_failed=True))
    assert status == "broken" and details is not None
    assert details.message.startswith("HOOK-ERROR in before_scenario")
    assert scenario_outcome(scenario(_step(BehaveStatus.skipped)))[0] == "skipped"


def _limit_line(root: ET.Element) -> tuple[float, str] | None:
    """The x and colour of the solid limit line (the only line with a title)."""
    for line in root.iter(f"{SVG}line"):
        if line.find(f"{SVG}title") is not None:
            return float(line.get("x1", "nan")), line.get("stroke", "")
    return None


def test_the_latency_chart_draws_the_limit_under_test() -> None:
    samples = [0.001 * i for i in range(1, 101)]  # 1 ms .. 100 ms; p95 = 95 ms
    stats = LatencyStats.from_samples(samples)
    kept = ET.fromstring(latency_svg(samples, stats, "A → B", LatencyLimit(95, 0.200)))
    broken = ET.fromstring(latency_svg(samples, stats, "A → B", LatencyLimit(95, 0.050)))
    kept_line, broken_line = _limit_line(kept), _limit_line(broken)
    assert kept_line is not None and broken_line is not None
    assert "limit: p95 < 200 ms" in [t.text for t in kept.iter(f"{SVG}text")]
    assert "limit: p95 < 50 ms" in [t.text for t in broken.iter(f"{SVG}text")]
    # To scale: 200 ms stretches the axis to include it; 50 ms sits at half of 100 ms.
    axis_left, axis_right = 60.0, 700.0
    assert broken_line[0] == pytest.approx(axis_left + (axis_right - axis_left) * 0.5, abs=1)
    assert axis_left < kept_line[0] <= axis_right
    assert kept_line[1] != broken_line[1]  # kept and broken are told apart by colour
    assert _limit_line(ET.fromstring(latency_svg(samples, stats, "A → B"))) is None


def test_a_limit_far_beyond_the_samples_is_named_at_the_edge() -> None:
    samples = [0.001, 0.002, 0.003]
    stats = LatencyStats.from_samples(samples)
    root = ET.fromstring(latency_svg(samples, stats, "A → B", LatencyLimit(99, 0.500)))
    assert _limit_line(root) is None  # not to scale: the bars keep the width
    assert "limit: p99 < 500 ms →" in [t.text for t in root.iter(f"{SVG}text")]
    ticks = [float(t.text or "") for t in root.iter(f"{SVG}text") if (t.text or "").isdigit()]
    assert max(ticks) < 10  # the axis still ends near the largest sample (3 ms)
