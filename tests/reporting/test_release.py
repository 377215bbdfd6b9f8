"""Nothing of a scenario survives it: failed steps' tracebacks no longer hold the session.

behave keeps every failed step's exception and traceback for the whole run;
their frames held the scenario session and its clients (with their inboxes),
and a closed connection's reference cycles kept its client until a rare full
collection: N failing flood scenarios kept N floods in memory. Each failing
scenario here gets a 6 MiB flood, records weak references to its session
and its client and fails; the last scenario checks, without collecting
anything itself, that none of them is alive. The Allure results still carry
each failure's message and trace.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection

from tests.features.harness import BehaveProject, server_env
from tests.integration.fixture_servers import ServerThread
from tests.reporting.conftest import step, wsbdd_run
from wsbdd.server.managed import ManagedServer

FRAME = json.dumps({"type": "flood", "data": "z" * 256 * 1024})


@pytest.fixture(scope="module")
def flood_url() -> Iterator[str]:
    """A server that sends 24 frames of 256 KiB (6 MiB) to every connection."""
    servers = ServerThread()

    async def handler(ws: ServerConnection) -> None:
        for _ in range(24):
            await ws.send(FRAME)
        await ws.wait_closed()

    try:
        yield servers.websocket(handler, compression=None).url
    finally:
        servers.close()


WATCH_STEPS = """
import weakref

from behave import step

from wsbdd.steps import *  # noqa

WATCHED = []


@step("client {name} and its session are watched")
def watch(context, name):
    WATCHED.append(("session", weakref.ref(context.wsbdd)))
    # the loop-owned Client itself (context.wsbdd.client() hands out an immutable view)
    WATCHED.append((f"client {name}", weakref.ref(context.wsbdd.clients.get(name))))


@step("nothing watched is alive")
def check(context):
    alive = [what for what, ref in WATCHED if ref() is not None]
    assert len(WATCHED) == 6, WATCHED
    assert not alive, f"still alive after their scenario: {alive}"
"""

FEATURE = """
Feature: nothing survives a scenario

  Scenario Outline: a failing wait <n>
    Given client A connects to "${FLOOD_URL}"
    And client A and its session are watched
    Then client A receives 24 messages matching {"type": "flood"} within 10 s
    And client A receives {"type": "never-sent"} within 300 ms

    Examples:
      | n |
      | 1 |
      | 2 |
      | 3 |

  Scenario: the check
    Then nothing watched is alive
"""


def test_failed_scenarios_keep_neither_their_session_nor_their_clients(
    tmp_path: Path, reference_server: ManagedServer, flood_url: str
) -> None:
    project = BehaveProject(tmp_path / "project", server_env(reference_server, FLOOD_URL=flood_url))
    project.file("steps/wsbdd_steps.py", WATCH_STEPS)
    project.feature(FEATURE)
    run, results = wsbdd_run(project)
    tests = results.tests()
    assert tests["the check"]["status"] == "passed", run.output
    failed = [t for name, t in tests.items() if name.startswith("a failing wait")]
    assert len(failed) == 3 and all(t["status"] == "failed" for t in failed), run.output
    for test in failed:
        details = test["statusDetails"]
        assert "client A did not receive" in details["message"]
        assert "receiving_steps.py" in details.get("trace", ""), details
        assert (
            "client A did not receive"
            in step(test, "And client A receives {")["statusDetails"]["message"]
        )
