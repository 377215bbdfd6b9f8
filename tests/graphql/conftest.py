"""Fixtures: one Strawberry GraphQL server (uvicorn) per test session, behave projects on it."""

from __future__ import annotations

import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.features.harness import REPO, BehaveProject

PROFILE = Path(__file__).with_name("strawberry-chat.toml")
STARTUP_LIMIT = 20.0
TOKENS = {
    "WSBDD_TOKEN_ALICE": "alice-token",
    "WSBDD_TOKEN_BOB": "bob-token",
    "WSBDD_TOKEN_MALLORY": "not-a-known-token",
}


def _first_line(process: subprocess.Popen[str], limit: float) -> str:
    """The server's first stdout line, waited for at most ``limit`` seconds."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=limit):
            raise RuntimeError(f"the GraphQL server printed nothing within {limit} s")
    return process.stdout.readline().strip()


@pytest.fixture(scope="session")
def graphql_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """ws:// URL of tests/graphql/app.py served by uvicorn on 127.0.0.1 (a free port)."""
    log = tmp_path_factory.mktemp("graphql") / "server.log"
    with log.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.graphql.serve"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    started = time.monotonic()
    try:
        try:
            line = _first_line(process, STARTUP_LIMIT)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{log.read_text()[-2000:]}") from None
        if not line.startswith("graphql listening on "):
            process.kill()
            process.wait(timeout=5)
            raise RuntimeError(
                f"the GraphQL server did not start ({time.monotonic() - started:.1f} s, "
                f"exit {process.returncode}): {line!r}\n{log.read_text()[-2000:]}"
            )
        yield line.removeprefix("graphql listening on ")
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def gql_project(tmp_path: Path, graphql_url: str) -> BehaveProject:
    """A behave project whose `test` environment targets the GraphQL server with its profile."""
    return BehaveProject(
        tmp_path / "project",
        {
            "WSBDD_SERVER": "none",
            "WSBDD_URL": graphql_url,
            "WSBDD_PROFILE": str(PROFILE),
            "WSBDD_TIMEOUT": "1 s",
            **TOKENS,
        },
    )
