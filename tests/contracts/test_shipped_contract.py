"""features/asyncapi.yaml is true of the reference server: the whole shipped suite conforms."""

from __future__ import annotations

import json

from tests.suite.suite_runs import ShippedRun, shares_the_shipped_run


@shares_the_shipped_run
def test_every_frame_of_the_shipped_suite_conforms_to_the_shipped_contract(
    shipped_suite_run: ShippedRun,
) -> None:
    done = shipped_suite_run
    results = done.allure
    assert done.returncode == 0, done.output[-6000:]
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
    assert "AsyncAPI contract features/asyncapi.yaml" in done.output
