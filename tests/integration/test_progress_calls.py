"""Long operations report progress where a CI log shows it: crowd cycles and many sends."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from fixture_servers import ServerThread, echo

from wsbdd.runtime import ClientManager, Clients, ConnectRequest
from wsbdd.runtime.crowd import Crowd, CrowdReport
from wsbdd.runtime.progress import Progress
from wsbdd.server.managed import ManagedServer


@pytest.fixture(scope="module")
def server() -> Iterator[ManagedServer]:
    srv = ManagedServer.embedded(["--ping-interval", "600"])
    srv.start()
    yield srv
    srv.stop()


def ci_log() -> tuple[io.StringIO, Progress]:
    """A log that is no terminal, with every update worth a line and every operation long."""
    log = io.StringIO()
    return log, Progress(log, delay=0.0, plain_interval=0.0)


def test_a_crowd_cycle_writes_plain_progress_lines_and_a_summary(
    server: ManagedServer, clients: Clients
) -> None:
    log, progress = ci_log()
    request = ConnectRequest(server.ws_url + "?token=carol-token", open_timeout=5.0)
    crowd = Crowd(request, 0, progress=progress)

    async def cycle(manager: ClientManager) -> CrowdReport:
        manager.add_crowd(crowd)
        return await crowd.cycle(40, 10)

    report = clients.run(cycle, 30.0)
    assert (report.attempted, report.failed) == (40, 0), report.failures
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("wsbdd: connecting and disconnecting 1/40 (")
    assert lines[-1].startswith("wsbdd: connecting and disconnecting 40/40 in ")
    assert len(lines) == 40  # 39 while running (the last update is the summary's), 1 summary
    assert "\r" not in log.getvalue()


def test_many_sends_write_plain_progress_lines_and_a_summary(
    servers: ServerThread, clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    log, progress = ci_log()
    monkeypatch.setattr(clients.manager, "progress", progress)
    srv = servers.websocket(echo)
    assert clients.connect("A", ConnectRequest(srv.url)).opened
    clients.send_many("A", ["x"] * 5)
    timeless = [re.sub(r" (\(|in )[0-9.]+ s\)?$", "", line) for line in log.getvalue().splitlines()]
    assert timeless == [f"wsbdd: client A sending {n}/5" for n in range(1, 6)]
    assert log.getvalue().splitlines()[-1].startswith("wsbdd: client A sending 5/5 in ")
