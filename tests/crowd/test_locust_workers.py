"""A crowd on two local Locust workers gets the same totals and latencies as one process."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.features.harness import TOKENS
from wsbdd.core.timing import percentile
from wsbdd.distributed.driver import LocustCrowds
from wsbdd.distributed.member_host import CrowdHost
from wsbdd.server.managed import ManagedServer

# Only look for Locust: importing it here would monkey-patch this process with gevent.
if importlib.util.find_spec("locust") is None:
    pytest.skip("locust is not installed (pip install -e '.[dev]')", allow_module_level=True)

SIZE = 200
MESSAGES = 5


def _plan(server: ManagedServer, channel: str) -> dict[str, Any]:
    assert server.ws_url is not None
    return {
        "url": f"{server.ws_url}?token={TOKENS['WSBDD_TOKEN_CAROL']}",
        "count": SIZE,
        "greeting": [
            {"text": "", "what": "connection", "ack": {"type": "welcome"}, "patience": 5.0},
            {
                "text": json.dumps({"type": "subscribe", "channel": channel}),
                "what": f"subscription to {channel}",
                "ack": {"type": "subscribed", "channel": channel},
            },
        ],
    }


def _publish(server: ManagedServer, channel: str, run: str) -> dict[str, float]:
    """Alice publishes MESSAGES marked messages; mark → monotonic send stamp."""
    assert server.ws_url is not None
    sent: dict[str, float] = {}
    with connect(f"{server.ws_url}?token={TOKENS['WSBDD_TOKEN_ALICE']}") as alice:
        alice.recv(timeout=5)  # welcome
        for i in range(MESSAGES):
            mark = f"{run}-{i}"
            frame = {"type": "message", "channel": channel, "text": "hi", "mark": mark}
            sent[mark] = time.monotonic()
            alice.send(json.dumps(frame))
    return sent


def _latencies(arrivals: list[list[Any]], sent: dict[str, float]) -> list[float]:
    return [at - sent[mark] for _, mark, at in arrivals if mark in sent]


@pytest.fixture(scope="module")
def server() -> Iterator[ManagedServer]:
    with ManagedServer.embedded() as running:
        yield running


def _one_process(server: ManagedServer) -> tuple[dict[str, Any], dict[str, Any], dict[str, float]]:
    channel = "room:one-process"

    async def run() -> tuple[dict[str, Any], dict[str, Any], dict[str, float]]:
        host = CrowdHost()
        opened = await host.handle({"cmd": "open", "plan": _plan(server, channel)})
        sent = await asyncio.to_thread(_publish, server, channel, "one")
        got = await host.handle(
            {"cmd": "arrivals", "marks": list(sent), "mark_path": "$.mark", "wait": 10.0}
        )
        await host.handle({"cmd": "close"})
        return opened, got, sent

    return asyncio.run(run())


def test_two_locust_workers_match_one_process(server: ManagedServer) -> None:
    opened_1, got_1, sent_1 = _one_process(server)
    crowds = LocustCrowds(2)
    try:
        channel = "room:two-workers"
        opened_2 = crowds.command({"cmd": "open", "plan": _plan(server, channel)}, 30.0)
        sent_2 = _publish(server, channel, "two")
        got_2 = crowds.command(
            {
                "cmd": "arrivals",
                "marks": list(sent_2),
                "mark_path": "$.mark",
                "wait": 10.0,
                "sent": sent_2,
            },
            20.0,
        )
        stats = crowds.command({"cmd": "stats"}, 5.0)["stats"]
    finally:
        crowds.close()

    assert opened_2["workers"] == 2
    assert (opened_1["attempted"], opened_1["failures"]) == (SIZE, {})
    assert (opened_2["attempted"], opened_2["failures"]) == (SIZE, {})
    # every member got every message, in both modes; members keep distinct indices
    assert len(got_1["arrivals"]) == len(got_2["arrivals"]) == SIZE * MESSAGES
    assert {i for i, _, _ in got_2["arrivals"]} == set(range(SIZE))
    one, two = _latencies(got_1["arrivals"], sent_1), _latencies(got_2["arrivals"], sent_2)
    for rank in (50, 99):
        p_one, p_two = percentile(one, rank), percentile(two, rank)
        assert p_one is not None and p_two is not None
        # within noise: the same order of magnitude on loopback (2 busy cores)
        assert abs(p_one - p_two) < 0.25, (rank, p_one, p_two)
    # Locust's own statistics saw every handshake and every delivery
    rows = {row["name"]: row for row in stats}
    assert rows["connect"]["count"] == SIZE
    assert rows["delivery"]["count"] == SIZE * MESSAGES
