"""A latency step's chart, from a real run, draws the limit that step tested."""

from __future__ import annotations

from tests.features.harness import BehaveProject
from tests.reporting.conftest import step, wsbdd_run


def test_the_chart_of_a_latency_step_shows_its_limit(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: latency
          Scenario: fast enough
            Given the API profile "chat"
            And clients A and B are connected as alice and bob
            And client A is subscribed to room:lat
            And client B is subscribed to room:lat
            When client A publishes 10 messages to room:lat
            Then client B receives all 10 messages from client A within 5 s
            And the p90 delivery latency from client A to client B is below 2 s
        """
    )
    run, results = wsbdd_run(project)
    assert "1 scenario passed" in run.output, run.output
    latency = step(results.test("fast enough"), "And the p90 delivery latency")
    chart = results.attachment(latency, "latency A → B chart")
    assert chart.startswith("<svg")
    assert "limit: p90 &lt; 2000 ms" in chart  # named, escaped in the SVG text
    assert "#1b5e20" in chart and "#b71c1c" not in chart  # kept: green, not red
