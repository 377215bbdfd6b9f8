"""The HTML report of a real run, opened in headless Chromium.

Needs Java, the Allure command line and Chromium (``.ci/install-report-tools``).
Without them the tests are skipped locally, but fail in CI (``CI=true``).
Set ``WSBDD_UPDATE_SCREENSHOT=1`` to refresh docs/images/allure-failed-scenario.png.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.features.harness import REPO, BehaveProject
from tests.reporting.chromium import Browser, find_chromium
from tests.reporting.conftest import wsbdd_run

LOCAL_ALLURE_BIN = REPO / ".tools" / "node_modules" / ".bin"
DOCS_SCREENSHOT = REPO / "docs" / "images" / "allure-failed-scenario.png"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def require(available: object, what: str) -> None:
    """Skip without ``what`` locally; fail in CI, where the tools must be installed."""
    if available:
        return
    reason = f"{what} is not installed (run .ci/install-report-tools)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI: {reason}")
    pytest.skip(reason)


def allure_bin() -> Path | None:
    on_path = shutil.which("allure")
    if on_path:
        return Path(on_path).parent
    return LOCAL_ALLURE_BIN if (LOCAL_ALLURE_BIN / "allure").exists() else None


def tool_environ() -> dict[str, str]:
    """The environment for ``wsbdd report``: the Allure command line on PATH."""
    folder = allure_bin()
    require(folder, "the Allure command line (npm allure-commandline)")
    require(shutil.which("java") or os.environ.get("JAVA_HOME"), "Java")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    environ["PATH"] = f"{folder}{os.pathsep}{environ.get('PATH', '')}"
    return environ


def wsbdd(project: BehaveProject, *args: str, timeout: float = 180.0) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "wsbdd", *args],
        cwd=project.root,
        env=tool_environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout
    return completed.stdout


@pytest.fixture
def report(project: BehaveProject) -> Path:
    """The HTML report of a real run: one passing, one failing scenario."""
    tool_environ()  # skip (or fail in CI) before running anything
    project.feature(
        """
        Feature: chat
          Scenario: hello reaches the room
            Given clients A and B are connected as alice and bob
            When client A sends {"type": "subscribe", "channel": "room:r1"}
            Then client A receives {"type": "subscribed", "channel": "room:r1"}

          Scenario: wrong sender
            Given clients A and B are connected as alice and bob
            When client A sends {"type": "subscribe", "channel": "room:r2"}
            And client B sends {"type": "subscribe", "channel": "room:r2"}
            Then client B receives {"type": "subscribed"}
            When client B sends {"type": "message", "channel": "room:r2", "text": "hi"}
            Then client A receives {"type": "message", "from": "carol", "text": "hi"} within 300 ms
        """
    )
    run, _results = wsbdd_run(project)
    assert "1 scenario passed, 1 failed" in run.output, run.output
    out = wsbdd(project, "report")
    assert "reports/allure-report/index.html" in out
    folder = project.root / "reports" / "allure-report"
    assert (folder / "index.html").is_file()
    return folder


@pytest.fixture
def served(report: Path) -> Iterator[str]:
    """The report served over HTTP on 127.0.0.1 (the report's scripts need HTTP)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(report))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _uid(report: Path, status: str) -> str:
    cases = [json.loads(p.read_text()) for p in (report / "data" / "test-cases").glob("*.json")]
    assert sorted(c["status"] for c in cases) == ["failed", "passed"], cases
    return next(c["uid"] for c in cases if c["status"] == status)


def _click(selector: str, starts_with: str) -> str:
    """JavaScript: click the first ``selector`` element whose text starts so; true if found."""
    return (
        f"(() => {{ const el = Array.from(document.querySelectorAll({json.dumps(selector)}))"
        f".find(e => e.innerText.trim().startsWith({json.dumps(starts_with)}));"
        f" if (!el) return false; el.click(); return true; }})()"
    )


def _shows(text: str) -> str:
    return f"document.body.innerText.includes({json.dumps(text)})"


def test_the_failed_scenario_page_shows_the_transcript_and_the_diff(
    report: Path, served: str, tmp_path: Path
) -> None:
    chromium = find_chromium()
    require(chromium, "Chromium (Debian package chromium)")
    assert chromium is not None
    failed = _uid(report, "failed")
    with Browser(chromium, width=1440, height=2300) as page:
        page.goto(f"{served}/#testresult/{failed}")
        page.wait_for(_shows("wrong sender"), "the failed scenario's page")
        page.wait_for(_shows("transcript A"), "the transcript attachments")
        # The failed step holds the failure diff: open the step, then the attachment.
        page.wait_for(_click(".step__title", "Then client A receives"), "the failed step")
        page.wait_for(_click(".attachment-row__name", "failure diff"), "the failure diff row")
        page.wait_for(_shows("after the scenario started"), "the failure diff's content")
        page.wait_for(_click(".attachment-row__name", "transcript A"), "the transcript A row")
        page.wait_for(_shows("handshake: open, HTTP 101"), "the transcript's content")
        text = page.text()
        # The failure diff: expected value, closest message, the difference.
        assert 'expected:\n{\n"type": "message",\n"from": "carol"' in _squeeze(text), text
        assert '"from": "bob"' in text
        assert '$.from: expected "carol", got "bob"' in text
        # The transcript: handshake with a redacted token, sent and received frames.
        assert "/ws?token=***" in text
        assert '→ text   {"type": "subscribe", "channel": "room:r2"}' in text
        assert '← text   {"type":"message","from":"bob"' in text
        assert "alice-token" not in text
        shot = tmp_path / "failed-scenario.png"
        page.screenshot(shot)
    data = shot.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 20_000
    if os.environ.get("WSBDD_UPDATE_SCREENSHOT") == "1":
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        DOCS_SCREENSHOT.write_bytes(data)


def _squeeze(text: str) -> str:
    """innerText with each line's indentation removed (pre blocks keep their spaces)."""
    return "\n".join(line.strip() for line in text.splitlines())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_wsbdd_report_serve_serves_the_report(report: Path, project: BehaveProject) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "wsbdd", "report", "--serve", "--port", str(port)],
        cwd=project.root,
        env=tool_environ(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: allure runs java below it
    )
    try:
        deadline = time.monotonic() + 60
        body = b""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                    body = reply.read()
                break
            except OSError:
                time.sleep(0.2)  # the Java server is starting; bounded by the deadline
        assert b"<html" in body.lower(), f"no report served on port {port} within 60 s"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
