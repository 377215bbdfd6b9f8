"""Checking frames against an AsyncAPI contract: wsbdd's checker vs. jsonschema following ``$ref``.

With a contract in use, the end of every scenario checks each frame its
clients sent and received (docs/asyncapi.md). Both sides check the same
frames against the shipped contract (``features/asyncapi.yaml``, whose chat
message schema has five ``$ref`` into ``features/schemas/``) and must give the
same verdicts: wsbdd's ``ContractChecker`` (plain references replaced once,
``wsbdd/core/contracts/inline.py``) against the same checker with jsonschema
following every reference on every frame (what it did before). The frames
are what the shipped suite's clients see most: chat messages pushed to a
room, the publications that caused them, presence and acknowledgements.
Sides alternate round by round; the figure is the median microseconds a
frame, CPU time of this process (no I/O is involved).

    .venv/bin/python bench/contract_check.py            # 7 rounds of 4,000 frames
    .venv/bin/python bench/contract_check.py --quick    # 3 rounds of 1,000
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, rounds_and_size

sys.path.insert(0, str(ROOT))

CONTRACT = ROOT / "features" / "asyncapi.yaml"


def frames(count: int) -> list[tuple[Any, str]]:
    """``count`` frames in the shipped suite's mix: mostly chat messages received."""
    out: list[tuple[Any, str]] = []
    for i in range(count):
        kind = i % 8
        if kind < 5:
            out.append(({"type": "message", "channel": "room:bench", "from": "bob",
                         "text": f"hi {i}", "id": f"msg-{i:08x}", "seq": i + 1,
                         "ts": "2026-12-03T08:00:00.000Z"}, "received"))
        elif kind == 5:
            out.append(({"type": "message", "channel": "room:bench", "text": f"hi {i}"}, "sent"))
        elif kind == 6:
            out.append(({"type": "presence", "channel": "room:bench", "user": "carol",
                         "status": "joined"}, "received"))
        else:
            out.append(({"type": "subscribed", "channel": "room:bench", "seq": i}, "received"))
    return out


def checker(following_refs: bool) -> Any:
    """The shipped contract's checker; ``following_refs``: validators as before inlining."""
    from wsbdd.core.contracts import ContractChecker, load_contract

    checker = ContractChecker(load_contract(CONTRACT))
    if following_refs:
        for message in checker.contract.messages:
            if message.schema_uri is not None:
                checker._validators[message.schema_uri] = checker.validator_following_refs(
                    message.schema_uri
                )
    return checker


def timed(check: Any, batch: list[tuple[Any, str]]) -> tuple[float, list[bool]]:
    """CPU microseconds a frame, and each frame's verdict."""
    start = time.process_time()
    verdicts = [check.check(value, direction).conforms for value, direction in batch]
    return (time.process_time() - start) / len(batch) * 1e6, verdicts


def main(argv: list[str] | None = None) -> int:
    rounds, count = rounds_and_size(argv, __doc__, "frame", quick=(3, 1000), full=(7, 4000))

    from results import emit

    batch = frames(count)
    sides = {"wsbdd": checker(following_refs=False), "following $ref": checker(following_refs=True)}
    for check in sides.values():
        timed(check, batch[:200])  # warm up: validators built, caches filled
    print(f"contract check: {rounds} alternating rounds of {count} frames", flush=True)
    times: dict[str, list[float]] = {side: [] for side in sides}
    verdicts: dict[str, list[bool]] = {}
    names = tuple(sides)
    for round_ in range(rounds):
        for side in names if round_ % 2 == 0 else reversed(names):
            per_frame, verdicts[side] = timed(sides[side], batch)
            times[side].append(per_frame)
            print(f"  {side:16s} {per_frame:7.1f} µs a frame (CPU)", flush=True)
    same = verdicts["wsbdd"] == verdicts["following $ref"] and all(verdicts["wsbdd"])
    emit("contract_check", "AsyncAPI check of the shipped suite's frames, µs a frame (CPU)",
         wsbdd=statistics.median(times["wsbdd"]),
         baseline=statistics.median(times["following $ref"]), unit="µs", compare="ratio",
         target=1.0, at_most=True, passed=same,
         note="same verdicts, every frame conforming" if same else "VERDICTS DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
