"""What a spare becomes in tests/server/test_spare.py: it reports what it was given."""

from __future__ import annotations

import json
import os
import signal
import sys


def main(argv: list[str]) -> int:
    """``report CODE``: print what this process has, then exit with CODE; ``hang``: wait."""
    if argv[0] == "hang":
        print("waiting", flush=True)
        signal.pause()
        return 0
    print(
        json.dumps(
            {
                "argv": argv,
                "mark": os.environ.get("TEST_MARK"),
                "session_leader": os.getsid(0) == os.getpid(),
                "stdin": sys.stdin.read(),
                "fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
                "atexit_of_the_parent_ran": False,
            }
        )
    )
    print("to stderr", file=sys.stderr)
    return int(argv[1])
