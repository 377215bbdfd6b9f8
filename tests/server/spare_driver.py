"""Run by tests/server/test_spare.py in a new (single-threaded) interpreter: one case."""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys

from wsbdd.server import spare

TARGET = "tests.server.spare_target:main"


def _ends_within(fd: int, seconds: float) -> bool:
    """Whether reading ``fd`` sees its end within ``seconds`` (nobody else holds the writer)."""
    ready, _, _ = select.select([fd], [], [], seconds)
    return bool(ready) and os.read(fd, 1) == b""


def report() -> dict[str, object]:
    keep_r, keep_w = os.pipe()  # a file of the parent's, open when the spare is forked
    atexit.register(lambda: print("PARENT-ATEXIT", file=sys.stderr))
    spare.prepare(TARGET)
    os.close(keep_w)
    taken = spare.take()
    assert taken is not None and spare.take() is None  # once
    server = taken.launch(["report", "7"], {"TEST_MARK": "kept", "PATH": os.environ["PATH"]})
    taken.discard()  # once launched, the pipes are the server's: nothing is closed or waited
    assert server.stdout is not None and server.stderr is not None
    seen = json.loads(server.stdout.readline())
    return {
        **seen,
        "stderr": server.stderr.read(),
        "status": server.wait(10),
        "poll": server.poll(),
        "parent_file_released": _ends_within(keep_r, 5),
    }


def hang() -> dict[str, object]:
    spare.prepare(TARGET)
    taken = spare.take()
    assert taken is not None
    server = taken.launch(["hang"], dict(os.environ))
    assert server.stdout is not None
    assert server.stdout.readline() == "waiting\n"
    try:
        server.wait(0.2)
        timed_out = False
    except subprocess.TimeoutExpired:
        timed_out = True
    running = server.poll() is None
    server.send_signal(signal.SIGTERM)
    return {"timed_out": timed_out, "running": running, "status": server.wait(10)}


def discarded() -> dict[str, object]:
    spare.prepare(TARGET)
    pid = spare._spare.pid if spare._spare is not None else 0
    spare.discard()  # reaps it: it has exited when this returns
    return {"gone": not os.path.exists(f"/proc/{pid}"), "taken_after": spare.take() is None}


def orphaned() -> dict[str, object]:
    spare.prepare(TARGET)
    assert spare._spare is not None
    print(json.dumps({"pid": spare._spare.pid}), flush=True)
    os._exit(0)  # as a crashed worker: no cleanup at all


if __name__ == "__main__":
    print(json.dumps(globals()[sys.argv[1]]()), flush=True)
