"""The Allure 3 report of a real run, opened in headless Chromium.

Needs Allure 3 (npm ``allure``, on PATH or in the repository's ``.tools/``)
and Chromium: ``.ci/install-report-tools``. Without them the tests are skipped
locally, but fail in CI (``CI=true``). ``WSBDD_UPDATE_SCREENSHOT=1`` refreshes
the screenshots in docs/images/ (overview, a failed scenario with its failure
diff, transcript and latency chart).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.features.harness import REPO, BehaveProject, server_env
from tests.reporting.chromium import Browser, find_chromium
from tests.reporting.conftest import wsbdd_run
from wsbdd.core.exceptions import WsbddError
from wsbdd.reporting.allure_tool import find_allure
from wsbdd.server.managed import ManagedServer

pytestmark = pytest.mark.xdist_group("html_report")
"""Both tests read one report (its run and its Allure generation cost about 5 s of CPU)."""

IMAGES = REPO / "docs" / "images"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

FEATURE = """
Feature: chat
  Scenario: hello reaches the room
    Given clients A and B are connected as alice and bob
    When client A sends {"type": "subscribe", "channel": "room:r1"}
    Then client A receives {"type": "subscribed", "channel": "room:r1"}

  Scenario: wrong sender
    Given the API profile "chat"
    And clients A and B are connected as alice and bob
    And client A is subscribed to room:r2
    And client B is subscribed to room:r2
    When client A publishes 20 messages to room:r2 at 400 per second
    Then client B receives all 20 messages from client A within 5 s
    And the p95 delivery latency from client A to client B is below 200 ms
    When client B sends {"type": "message", "channel": "room:r2", "text": "hi"}
    Then client A receives {"type": "message", "from": "carol", "text": "hi"} within 300 ms
"""


def require(available: object, what: str) -> None:
    """Skip without ``what`` locally; fail in CI, where the tools must be installed."""
    if available:
        return
    reason = f"{what} is not installed (run .ci/install-report-tools)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI: {reason}")
    pytest.skip(reason)


def tool_environ() -> dict[str, str]:
    """The environment for ``wsbdd report``: Allure 3 on PATH (from the repository's .tools/)."""
    try:
        tool = find_allure(REPO)
    except WsbddError:
        tool = None
    require(tool is not None and tool.major >= 3, "Allure 3 (npm package allure)")
    assert tool is not None
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    environ["PATH"] = f"{tool.path.parent}{os.pathsep}{environ.get('PATH', '')}"
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


@pytest.fixture(scope="module")
def html_project(
    tmp_path_factory: pytest.TempPathFactory, reference_server: ManagedServer
) -> BehaveProject:
    """The project both tests read: its run and its report are made once (see ``pytestmark``)."""
    return BehaveProject(tmp_path_factory.mktemp("html") / "project", server_env(reference_server))


@pytest.fixture(scope="module")
def report(html_project: BehaveProject) -> Path:
    """The Allure 3 report of a real run: one passing, one failing scenario."""
    tool_environ()  # skip (or fail in CI) before running anything
    require(find_chromium(), "Chromium (Debian package chromium)")
    html_project.feature(FEATURE)
    run, _results = wsbdd_run(html_project)
    assert "1 scenario passed, 1 failed" in run.output, run.output
    out = wsbdd(html_project, "report")
    assert "Allure 3." in out and "reports/allure-report/index.html" in out
    folder = html_project.root / "reports" / "allure-report"
    assert (folder / "index.html").is_file()
    return folder


@pytest.fixture(scope="module")
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


def _test_id(report: Path, name: str) -> str:
    for path in (report / "data" / "test-results").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("name") == name:
            return str(data["id"])
    raise AssertionError(f"no test result {name!r} in {report}")


def _click(testid: str, text: str) -> str:
    """JavaScript: click (the button of) the first ``data-testid`` element with ``text``."""
    return (
        f"(() => {{ const el = Array.from(document.querySelectorAll('[data-testid={testid}]'))"
        f".find(e => (e.innerText || '').replace(/\\s+/g, ' ').includes({json.dumps(text)}));"
        f" if (!el) return false; el.scrollIntoView();"
        f" (el.querySelector('button') || el).click(); return true; }})()"
    )


def _shows(text: str) -> str:
    return f"document.body.innerText.includes({json.dumps(text)})"


_TO_TOP = "document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })"
"""JavaScript: scroll every container back to the top (the report focuses the first result)."""


_SETTLED = (
    "(() => { const now = JSON.stringify(Array.from(document.querySelectorAll('svg path'))"
    ".map(p => p.getAttribute('d'))); const same = window.__wsbddLast === now;"
    " window.__wsbddLast = now; return same && document.getAnimations().length === 0; })()"
)
"""JavaScript: true once the charts' shapes stopped changing between two polls."""


def _keep(shot: Path, name: str) -> None:
    data = shot.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 20_000
    if os.environ.get("WSBDD_UPDATE_SCREENSHOT") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, IMAGES / name)


def test_the_failed_scenario_shows_diff_transcript_and_latency_chart(
    report: Path, served: str, tmp_path: Path
) -> None:
    chromium = find_chromium()
    assert chromium is not None
    failed = _test_id(report, "wrong sender")
    with Browser(chromium, width=1440, height=3400) as page:
        page.goto(f"{served}/#{failed}")
        page.wait_for(_shows("Category: Product defects: a broken expectation"), "the category")
        banner = page.evaluate(
            "document.querySelector('[data-testid=test-result-error-message]').innerText"
        )
        assert banner.startswith('client A did not receive {"type": "message", "from": "carol"')
        assert "ExpectationFailed" not in banner and "wsbdd." not in banner
        assert "after the last trigger" in banner
        # The failed step is open: its failure diff attachment.
        page.wait_for(_click("test-result-attachment-header", "failure diff"), "failure diff")
        page.wait_for(_shows("t = time since the scenario started"), "the failure diff's content")
        # The latency step: open it, then its chart.
        page.wait_for(_click("test-result-step-header", "the p95 delivery"), "the latency step")
        page.wait_for(_click("test-result-attachment-header", "latency A → B chart"), "chart")
        page.wait_for(
            "Array.from(document.querySelectorAll('[data-testid=image-attachment-content] img'))"
            ".some(img => img.complete && img.naturalWidth >= 700)",
            "the latency chart, drawn",
        )
        # The scenario's attachments after the steps: client A's transcript.
        page.wait_for(_click("test-result-attachment-header", "transcript A"), "transcript A")
        page.wait_for(_shows("handshake: open, HTTP 101"), "the transcript's content")
        text = page.text()
        assert '$.from: expected "carol", got "bob"' in text
        assert "/ws?token=***" in text and "alice-token" not in text
        # Times in the transcript are t= since the scenario started, like the failure diff's.
        assert re.search(r't=\s+\d+\.\d{3} ms ← text   \{"type":"message","from":"bob"', text)
        assert "close: still open at the end of the scenario" in text
        shot = tmp_path / "failed-scenario.png"
        page.screenshot(shot)
    _keep(shot, "allure-failed-scenario.png")


def test_the_overview_the_categories_and_the_trend(
    report: Path, html_project: BehaveProject, served: str, tmp_path: Path
) -> None:
    # Last in this module: it adds two runs to the report the other test reads.
    project = html_project
    chromium = find_chromium()
    assert chromium is not None
    with Browser(chromium, width=1440, height=1150) as page:
        page.goto(f"{served}/")
        page.wait_for(_shows("wrong sender"), "the tree of results")
        page.evaluate(_TO_TOP)
        text = page.text()
        assert "wsbdd" in text  # the report's name
        assert "hello reaches the room" in text or "chat" in text
        assert "environment" in text and "target.url" in text  # wsbdd's environment section
        shot = tmp_path / "overview.png"
        page.screenshot(shot)
        page.wait_for(_click("nav-tab-categories", "Categories"), "the Categories tab")
        page.wait_for(_shows("Product defects: a broken expectation"), "the product category")
    _keep(shot, "allure-overview.png")
    # The trend: each run once, however many reports are built from it.
    history = project.root / "reports" / "allure-history.jsonl"
    assert len(history.read_text().splitlines()) == 1
    wsbdd(project, "report", "--single-file", "-o", "reports/one-file")  # the same run
    single = project.root / "reports" / "one-file"
    assert sorted(p.name for p in single.iterdir() if p.suffix == ".html") == ["index.html"]
    assert not (single / "data").exists()  # everything is inside index.html
    assert len(history.read_text().splitlines()) == 1
    for _ in range(2):  # two more runs
        wsbdd_run(project)
        wsbdd(project, "report")
    assert len(history.read_text().splitlines()) == 3
    charts = json.loads((report / "widgets" / "charts.json").read_text())
    dynamics = next(c for c in charts["general"].values() if c["type"] == "statusDynamics")
    assert len(dynamics["data"]) == 3  # the two runs before, from the history, and this one
    with Browser(chromium, width=1440, height=760) as page:
        page.goto(f"{served}/#charts")
        page.wait_for(_shows("Status dynamics"), "the trend chart")
        page.wait_for("document.querySelectorAll('[data-testid=bar]').length > 0", "its bars")
        page.wait_for(_SETTLED, "the charts to finish drawing")
        shot = tmp_path / "trend.png"
        page.screenshot(shot)
    _keep(shot, "allure-trend.png")
