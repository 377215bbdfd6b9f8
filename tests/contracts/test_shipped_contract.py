"""features/asyncapi.yaml is true of the reference server: the whole shipped suite conforms."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_frame_of_the_shipped_suite_conforms_to_the_shipped_contract(tmp_path: Path) -> None:
    results = tmp_path / "results"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    done = subprocess.run(
        [sys.executable, "-m", "wsbdd", "run", "--allure-dir", str(results), "-f", "progress"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    attachments = list(results.glob("*-coverage-attachment.json"))
    assert len(attachments) == 1, f"no coverage in {sorted(p.name for p in results.iterdir())}"
    coverage = json.loads(attachments[0].read_text())
    assert coverage["contract"] == "features/asyncapi.yaml"
    assert coverage["nonconforming"] == 0, json.dumps(coverage["examples"], indent=2)
    assert coverage["frames"] > 200
    seen = {label for label, count in coverage["messages"].items() if count}
    assert {
        "Welcome (received on ws)",
        "Subscribed (received on ws)",
        "ChatMessage (received on room)",
        "Presence (received on room)",
        "OrderCreated (received on orders)",
        "OrderPaid (received on orders)",
        "Error (received on ws)",
        "Subscribe (sent on ws)",
        "Publish (sent on room)",
    } <= seen
    assert "AsyncAPI contract features/asyncapi.yaml" in done.stdout
