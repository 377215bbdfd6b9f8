"""The CLI and ``ManagedServer``: subprocess start, SIGTERM → 1001, restart, errors."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from wsref_helpers import client, closed, recv, run, subscribe

from wsbdd.core.exceptions import ServerControlError
from wsbdd.server.managed import ManagedServer

ROOT = str(Path(__file__).resolve().parents[2])
ENV = {**os.environ, "PYTHONPATH": ROOT}


def test_embedded_sigterm_closes_1001_and_restart_keeps_port() -> None:
    server = ManagedServer.embedded(["--ping-interval", "5"])
    server.start()
    try:
        assert server.running and server.pid and server.rss_bytes() > 1_000_000
        assert server.ws_url and server.ws_url.startswith("ws://127.0.0.1:")
        assert server.http_url and server.ws_url.endswith("/ws")
        port = server.port

        async def main() -> None:
            assert server.ws_url
            ws = await client(server.ws_url)
            await subscribe(ws, "room:r")
            await asyncio.to_thread(server.stop)
            assert await closed(ws) == (1001, "going away")

        run(main())
        assert not server.running
        server.restart()
        assert server.port == port and server.running
        assert server.http_url
        assert httpx.get(server.http_url + "/healthz").status_code == 200

        async def again() -> None:
            assert server.ws_url
            ws = await client(server.ws_url)
            await ws.send('{"type":"ping"}')
            assert (await recv(ws))["type"] == "pong"
            await ws.close()

        run(again())
    finally:
        server.stop()
    assert not server.running


SERVE_COMMANDS = {
    "python -m wsbdd.server": [sys.executable, "-m", "wsbdd.server"],
    # The installed console command, as a user types it.
    "wsbdd serve": [str(Path(sys.executable).with_name("wsbdd")), "serve"],
}


def test_sigterm_stops_a_server_started_with_it_blocked() -> None:
    # A parent's signal mask survives exec (a launcher, a CI agent's thread).
    serve = [sys.executable, "-m", "wsbdd.server", "--port", "0"]
    launcher = (
        "import os, signal, sys; "
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT}); "
        f"os.execv(sys.executable, {serve!r})"
    )
    proc = subprocess.Popen([sys.executable, "-c", launcher], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("wsbdd reference server listening on"), line
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 0, err
    assert "SIGTERM received" in err


@pytest.mark.parametrize("command", SERVE_COMMANDS.values(), ids=SERVE_COMMANDS.keys())
def test_sigint_stops_cleanly_without_traceback(command: list[str]) -> None:
    proc = subprocess.Popen([*command, "--port", "0"], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("wsbdd reference server listening on ws://127.0.0.1:"), line
        assert line.rstrip().endswith(line.split()[-1]) and " http://127.0.0.1:" in line
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and "Traceback" not in err, err


def test_unknown_bug_is_an_argparse_error_listing_names() -> None:
    result = subprocess.run([sys.executable, "-m", "wsbdd.server", "--bug", "nope"], env=ENV,
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 2
    assert "nope" in result.stderr and "wrong_room" in result.stderr and "slow_push" in \
        result.stderr


def test_embedded_failure_reports_stderr_tail() -> None:
    server = ManagedServer.embedded(["--users", "/nonexistent/users.json"])
    with pytest.raises(ServerControlError) as info:
        server.start()
    assert "/nonexistent/users.json" in str(info.value)
    assert not server.running


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_command_form_waits_for_health_and_stops() -> None:
    port = _free_port()
    cmd = f"exec {sys.executable} -m wsbdd.server --port {port}"
    server = ManagedServer.command(cmd, f"http://127.0.0.1:{port}/healthz",
                                   env={"PYTHONPATH": ROOT})
    server.start()
    try:
        assert server.running and server.http_url == f"http://127.0.0.1:{port}"
        assert httpx.get(f"http://127.0.0.1:{port}/metrics").status_code == 200
        assert server.rss_bytes() > 0
    finally:
        server.stop(timeout=5)
    assert not server.running
    failing = ManagedServer.command("echo boom >&2; exit 3", "http://127.0.0.1:9/healthz",
                                    startup_timeout=5)
    with pytest.raises(ServerControlError, match="boom"):
        failing.start()


def test_leak_on_disconnect_grows_process_memory() -> None:
    server = ManagedServer.embedded(["--bug", "leak_on_disconnect"])
    server.start()
    try:
        before = server.rss_bytes()

        async def churn() -> None:
            assert server.ws_url
            for _ in range(100):
                ws = await client(server.ws_url)
                await subscribe(ws, "room:leak")
                await ws.close()

        run(churn())
        assert server.http_url
        metrics = httpx.get(server.http_url + "/metrics").json()
        assert metrics["connections"] >= 100 and metrics["subscriptions"] >= 100
        grown = server.rss_bytes() - before
        assert grown > 3_000_000, f"RSS grew by only {grown} bytes"
    finally:
        server.stop()


def test_max_size_must_be_a_positive_integer() -> None:
    for bad in ("0", "-5", "big"):
        result = subprocess.run([sys.executable, "-m", "wsbdd.server", "--max-size", bad],
                                env=ENV, capture_output=True, text=True, timeout=20)
        assert result.returncode == 2, (bad, result.stderr)
        assert "--max-size" in result.stderr and bad in result.stderr, result.stderr


def test_help_shows_the_server_options_defaults() -> None:
    from wsbdd.server.options import ServerOptions

    defaults = ServerOptions()
    result = subprocess.run([sys.executable, "-m", "wsbdd.server", "--help"], env=ENV,
                            capture_output=True, text=True, timeout=20)
    text = " ".join(result.stdout.split())
    assert result.returncode == 0, result.stderr
    for shown in (f"(default {defaults.host})", f"(default {defaults.ping_interval:g})",
                  f"(default {defaults.queue_limit}, 0 = unbounded)",
                  f"(default {defaults.max_size})", f"default {defaults.send_buffer};"):
        assert shown in text, (shown, text)


def _low_fd_limit() -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(256, hard), hard))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="psutil rlimit is Linux-only")
def test_serve_raises_its_open_files_limit_to_the_hard_limit() -> None:
    import psutil

    hard = psutil.Process().rlimit(psutil.RLIMIT_NOFILE)[1]
    if hard != psutil.RLIM_INFINITY and hard <= 256:
        pytest.skip(f"the hard limit of open files here is only {hard}")
    proc = subprocess.Popen([sys.executable, "-m", "wsbdd.server", "--port", "0"], env=ENV,
                            stdout=subprocess.PIPE, text=True, preexec_fn=_low_fd_limit)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on" in line, line
        assert psutil.Process(proc.pid).rlimit(psutil.RLIMIT_NOFILE) == (hard, hard)
    finally:
        proc.terminate()
        proc.wait(10)
