"""The optional uvloop event loop (``WSBDD_UVLOOP=1``, extra ``fast``) runs the same suite."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.suite.suite_runs import run_suite
from wsbdd.runtime.loop import LoopThread, new_event_loop

uvloop = pytest.importorskip("uvloop")


def test_the_loop_is_asyncio_unless_uvloop_is_asked_for() -> None:
    for environ, expected in (
        ({}, asyncio.AbstractEventLoop),
        ({"WSBDD_UVLOOP": "0"}, asyncio.AbstractEventLoop),
        ({"WSBDD_UVLOOP": "1"}, uvloop.Loop),
    ):
        loop = new_event_loop(environ)
        try:
            assert isinstance(loop, expected)
            assert isinstance(loop, uvloop.Loop) == (expected is uvloop.Loop)
        finally:
            loop.close()


def test_the_loop_thread_uses_uvloop_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSBDD_UVLOOP", "1")
    thread = LoopThread()
    thread.start()
    try:
        async def running() -> asyncio.AbstractEventLoop:
            return asyncio.get_running_loop()

        assert isinstance(thread.run(running(), 5), uvloop.Loop)
    finally:
        thread.stop()


def test_the_quick_suite_passes_on_uvloop(tmp_path: Path) -> None:
    # over worker processes, as the bug matrix runs it (each worker's loop is uvloop)
    results = run_suite(
        tmp_path, "--tags", "not @slow", extra_env={"WSBDD_UVLOOP": "1"}, processes=3
    )
    ran = [r for r in results if r.status != "skipped"]
    assert ran, "the suite ran no scenario"
    failed = [r for r in ran if r.status != "passed"]
    assert not failed, "\n\n".join(f"{r.location} {r.name}\n{r.message}" for r in failed)


def test_the_environment_file_can_ask_for_uvloop() -> None:
    from wsbdd.runtime import Clients

    clients = Clients(environ={"WSBDD_UVLOOP": "1"})
    try:
        async def running() -> asyncio.AbstractEventLoop:
            return asyncio.get_running_loop()

        assert isinstance(clients.loop.run(running(), 5), uvloop.Loop)
    finally:
        clients.shutdown()
    assert clients.loop.thread is None  # the facade owned the loop and stopped it
