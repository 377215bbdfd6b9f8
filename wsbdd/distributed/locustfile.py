"""What ``locust --worker -f <this file>`` loads: relay wsbdd crowd commands to a member host.

On the first ``wsbdd:command`` message from the master, this worker starts
``python -m wsbdd.distributed.member_host`` (asyncio, no gevent: arrivals are
stamped by wsbdd's own runtime), then relays every command to it and sends the
reply back as ``wsbdd:reply``. Relaying runs in its own greenlet
(``concurrent=True``), so Locust's heartbeats go on while a crowd opens.

The file defines one idle User class only because Locust requires one; the
crowd's members are the member host's connections, not Locust users.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from locust import User, constant, events, task

__all__ = ["WsbddCrowdMember"]

_host: dict[str, Any] = {}


class WsbddCrowdMember(User):
    """Never spawned by wsbdd (Locust needs a User class to start a worker)."""

    wait_time = constant(3600)

    @task
    def idle(self) -> None:
        """Nothing: wsbdd drives the crowd through messages, not users."""


def _member_host() -> subprocess.Popen[str]:
    proc = _host.get("proc")
    if proc is None or proc.poll() is not None:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wsbdd.distributed.member_host"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        _host["proc"] = proc
    return proc


def _on_command(environment: Any, msg: Any, **_: Any) -> None:
    data = dict(msg.data)
    proc = _member_host()
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(data["command"]) + "\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    reply = json.loads(line) if line else {"error": "the member host ended"}
    reply["id"] = data["id"]
    environment.runner.send_message("wsbdd:reply", reply)


@events.init.add_listener  # type: ignore[untyped-decorator]
def _register(environment: Any, **_: Any) -> None:
    from locust.runners import WorkerRunner

    if isinstance(environment.runner, WorkerRunner):
        environment.runner.register_message("wsbdd:command", _on_command, concurrent=True)


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _stop(environment: Any, **_: Any) -> None:
    proc = _host.get("proc")
    if proc is not None and proc.poll() is None:
        proc.kill()
