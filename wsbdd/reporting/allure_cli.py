"""Building the HTML report with the Allure command line, and serving it.

:func:`generate_report` runs Allure 3 (``allure generate --config ...``, a
config wsbdd writes: the report's name, its history file, the categories,
single-file mode) or Allure 2 (``allure generate --clean``, with
``categories.json`` and ``history/`` in the results folder). The report folder
is replaced each time. :func:`serve_report` serves a built report over HTTP on
one address (127.0.0.1 by default) until interrupted.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from wsbdd.core.exceptions import WsbddError
from wsbdd.reporting.allure_tool import AllureTool, ReportToolMissing, require_java
from wsbdd.reporting.categories import CATEGORIES, write_categories
from wsbdd.reporting.report_history import prepare_history
from wsbdd.stop_signals import stop_signals_to

__all__ = [
    "HISTORY_LIMIT",
    "REPORT_NAME",
    "allure3_config",
    "generate_report",
    "has_results",
    "serve_report",
]

REPORT_NAME = "wsbdd"
"""The report's title unless the suite's own Allure config says otherwise."""

HISTORY_LIMIT = 50
"""Runs kept in Allure 3's history file (the trend shows at most these)."""


def has_results(results: Path) -> bool:
    """True when ``results`` holds at least one Allure test result."""
    return results.is_dir() and any(results.glob("*-result.json"))


def allure3_config(output: Path, history: Path | None, *, single_file: bool) -> dict[str, Any]:
    """wsbdd's Allure 3 config (an ``allurerc.json``): report, history, categories."""
    config: dict[str, Any] = {
        "name": REPORT_NAME,
        "output": str(output),
        "plugins": {"awesome": {"options": {"reportName": REPORT_NAME, "singleFile": single_file}}},
        "categories": {"rules": [dict(rule) for rule in CATEGORIES]},
    }
    if history is not None:
        config["historyPath"] = str(history)
        config["historyLimit"] = HISTORY_LIMIT
    return config


def _check_output(output: Path) -> None:
    """Refuse a report folder that holds something else than a report (it is replaced)."""
    if not output.exists():
        return
    if output.is_dir() and (not any(output.iterdir()) or (output / "index.html").is_file()):
        return
    raise WsbddError(
        f"{output} exists and is not an Allure report (no index.html): "
        f"choose another report folder with -o"
    )


def _run(command: Sequence[str]) -> int:
    try:
        return subprocess.run(list(command), check=False).returncode
    except OSError as exc:
        raise ReportToolMissing(f"cannot run {command[0]}: {exc}") from exc


def generate_report(
    tool: AllureTool,
    results: Path,
    output: Path,
    *,
    single_file: bool = False,
    config: Path | None = None,
) -> int:
    """Build the report of ``results`` into ``output``; returns allure's exit code.

    ``config`` is the suite's own Allure 3 config, used instead of wsbdd's.
    """
    if not has_results(results):
        raise WsbddError(
            f"no Allure results in {results} (no *-result.json): run the suite first "
            f"(wsbdd run writes them to reports/allure-results)"
        )
    if config is not None and tool.major < 3:
        raise WsbddError(f"--config {config} is an Allure 3 config, and {tool.label} is Allure 2")
    require_java(tool)
    results, output = results.resolve(), output.resolve()
    _check_output(output)
    write_categories(results)
    history = prepare_history(results, output, tool.major)  # reads the previous report
    if output.exists():
        shutil.rmtree(output)
    if tool.major < 3:
        command = [str(tool.path), "generate", str(results), "-o", str(output), "--clean"]
        return _run([*command, "--single-file"] if single_file else command)
    if config is not None:
        command = [str(tool.path), "generate", "--config", str(config), "-o", str(output)]
        return _run([*command, str(results)])
    with tempfile.TemporaryDirectory(prefix="wsbdd-allure-") as folder:
        rc = Path(folder) / "allurerc.json"
        settings = allure3_config(output, history, single_file=single_file)
        rc.write_text(json.dumps(settings, indent=2), encoding="utf-8")
        return _run(
            [str(tool.path), "generate", "--config", str(rc), "-o", str(output), str(results)]
        )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve_report(
    report: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    on_ready: Callable[[str], None] = print,
) -> int:
    """Serve ``report`` on ``host:port`` (0: any free port) until Ctrl-C or SIGTERM; 0 then.

    ``on_ready`` gets the URL once the server listens.
    """
    if not (report / "index.html").is_file():
        raise WsbddError(f"no report in {report} (no index.html): build it with wsbdd report")
    handler = functools.partial(_QuietHandler, directory=str(report))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise WsbddError(f"cannot serve the report on {host}:{port}: {exc.strerror}") from exc
    with server:
        bound_host, bound_port = str(server.server_address[0]), server.server_address[1]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        # Ctrl-C works from the moment the URL is shown (a script may wait for it).
        with contextlib.suppress(KeyboardInterrupt), stop_signals_to(_raise_interrupt):
            on_ready(f"http://{shown}:{bound_port}/")
            server.serve_forever()
    return 0
