"""RunContext.start: the client loop starts beside the server, and a failed start leaves nothing."""

from __future__ import annotations

import threading

import pytest

from wsbdd.config import Settings
from wsbdd.core.exceptions import WsbddError
from wsbdd.run import RunContext


def _settings(**changes: object) -> Settings:
    values: dict[str, object] = {"env_name": "unit", "env_file": None, "values": {},
                                 "server_mode": "none", "ws_url": "ws://127.0.0.1:9/ws"}
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def test_without_a_server_the_clients_and_http_are_ready() -> None:
    run = RunContext(_settings())
    run.start()
    try:
        assert run.clients is not None and run.clients.loop.running
        assert run.http is not None
    finally:
        run.close()
    assert not any(t.name == "wsbdd-start-clients" for t in threading.enumerate())


def test_a_server_that_cannot_start_leaves_the_loop_for_close_to_stop() -> None:
    run = RunContext(_settings(server_mode="command", server_command="exit 3",
                               health_url="http://127.0.0.1:9/health", server_args=()))
    with pytest.raises(WsbddError):
        run.start()
    assert run.clients is not None  # started beside the server: close() must stop it
    loop = run.clients.loop
    run.close()
    assert not loop.running


def test_wsbdd_run_builds_only_the_run_parser_and_imports_no_server() -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom wsbdd import cli\n"
            "args, rest = cli.build_parser('run').parse_known_args(['run', '--tags', 'x'])\n"
            "print(args.command, rest, any(m.startswith('wsbdd.server') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.split() == ["run", "['--tags',", "'x']", "False"], done.stderr
    from wsbdd import cli

    full, _ = cli.build_parser().parse_known_args(["serve", "--port", "0"])
    assert full.command == "serve"  # the other commands are still there when asked for
