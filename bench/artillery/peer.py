"""The Artillery side of the crowd comparison (``bench/crowd_compare.py``).

Artillery is installed on demand with npm into ``bench/artillery/node_modules``
(``package.json`` pins the version). Its arrivals are given the same pattern
as the other tools, all N at once: an ``arrivalCount`` phase of 10 ms (the
shortest its uniform arrival timer spreads N arrivals over; a 1 s phase
would add up to a second to its time).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BINARY = HERE / "node_modules" / ".bin" / "artillery"
NAME = "Artillery"
PHASE = "10ms"


def ensure() -> str | None:
    """Install Artillery into bench/artillery/node_modules if needed; None when ready."""
    if BINARY.exists():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed (Node.js is needed for the Artillery comparison)"
    print("installing Artillery with npm into bench/artillery/node_modules ...", flush=True)
    env = {**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}  # no browsers needed
    try:
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
                              cwd=HERE, env=env, capture_output=True, text=True, timeout=900,
                              check=False)
    except subprocess.TimeoutExpired:
        return "npm install did not finish within 15 minutes"
    if done.returncode != 0 or not BINARY.exists():
        return f"npm install failed ({done.returncode}): {done.stderr[-1500:]}"
    return None


def version() -> str | None:
    """The installed Artillery's version, or None."""
    package = HERE / "node_modules" / "artillery" / "package.json"
    return json.loads(package.read_text()).get("version") if package.exists() else None


def command(ws_url: str, n: int, m: int, timeout_s: float, report: Path) -> list[str]:
    """``artillery run crowd.yml``: N arrivals at once, M messages each, report to ``report``."""
    overrides = {"config": {"phases": [{"duration": PHASE, "arrivalCount": n}]}}
    variables = {"messages": m, "timeout_s": int(timeout_s)}
    return [str(BINARY), "run", "--quiet", "--target", f"{ws_url}?token=carol-token",
            "--overrides", json.dumps(overrides), "--variables", json.dumps(variables),
            "--output", str(report), str(HERE / "crowd.yml")]


def received(report: Path) -> tuple[int | None, dict[str, Any]]:
    """Broadcasts the VUs counted, and the crowd/error counters, from the report."""
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return None, {}
    counters: dict[str, Any] = data.get("aggregate", {}).get("counters", {})
    got = counters.get("crowd.broadcasts_received")
    kept = {k: v for k, v in counters.items() if k.startswith(("crowd.", "errors."))}
    return (int(got) if got is not None else None), kept
