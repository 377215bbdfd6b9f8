"""The Locust master of a ``wsbdd run``: splits crowd commands over its workers.

Run as ``python -m wsbdd.distributed.master --workers N [--bind HOST] [--port P]``
by :class:`wsbdd.distributed.driver.LocustCrowds` (its own process: Locust
monkey-patches with gevent on import, which wsbdd's asyncio runtime must not
see). It prints ``{"port": P}`` once bound and ``{"ready": N}`` once N workers
are connected; then each stdin line is a command and each stdout line the
merged reply:

* ``open``: the plan is split (:func:`wsbdd.distributed.plan.split`) and each
  worker opens its slice; every member's handshake time is recorded in
  Locust's statistics as ``WS connect``;
* ``arrivals`` with ``sent`` (mark → send stamp): every worker reports what its
  members kept; each delivery's latency is recorded as ``WS delivery``;
* ``stats``: Locust's statistics table (count, failures, median, p95, p99,
  max, in ms) for the report.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from typing import Any

import gevent  # type: ignore[import-untyped]
from gevent.event import AsyncResult  # type: ignore[import-untyped]
from gevent.fileobject import FileObjectPosix  # type: ignore[import-untyped]
from locust import User, events
from locust.env import Environment
from locust.runners import MasterRunner

from wsbdd.distributed.plan import merge_replies, split

__all__ = ["main"]


class _Idle(User):
    abstract = False


def _record(env: Environment, name: str, seconds: list[float]) -> None:
    for value in seconds:
        events.request.fire(  # type: ignore[no-untyped-call]
            request_type="WS",
            name=name,
            response_time=value * 1000.0,
            response_length=0,
            exception=None,
            context={},
        )
    del env


def _stats(env: Environment) -> list[dict[str, Any]]:
    rows = []
    for entry in env.stats.entries.values():
        rows.append(
            {
                "method": entry.method,
                "name": entry.name,
                "count": entry.num_requests,
                "failures": entry.num_failures,
                "median_ms": entry.median_response_time,
                "p95_ms": entry.get_response_time_percentile(0.95),
                "p99_ms": entry.get_response_time_percentile(0.99),
                "max_ms": entry.max_response_time,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    """Serve wsbdd's crowd commands over the connected Locust workers."""
    parser = argparse.ArgumentParser(prog="python -m wsbdd.distributed.master")
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    env = Environment(user_classes=[_Idle], events=events)
    runner: MasterRunner = env.create_master_runner(args.bind, args.port)
    pending: dict[int, tuple[AsyncResult, list[dict[str, Any]], int]] = {}
    ids = itertools.count(1)

    def on_reply(environment: Any, msg: Any, **_: Any) -> None:
        reply = dict(msg.data)
        slot = pending.get(int(reply.get("id", 0)))
        if slot is None:
            return
        result, replies, expected = slot
        replies.append(reply)
        if len(replies) == expected:
            result.set(replies)

    runner.register_message("wsbdd:reply", on_reply)
    out = sys.stdout
    out.write(json.dumps({"port": runner.server.port}) + "\n")
    out.flush()
    while len(runner.clients.ready) < args.workers:
        gevent.sleep(0.05)  # Locust offers no event for "a worker is ready"
    workers = sorted(runner.clients.ready, key=lambda w: w.id)[: args.workers]
    out.write(json.dumps({"ready": len(workers)}) + "\n")
    out.flush()
    stdin = FileObjectPosix(sys.stdin.fileno(), "r")
    for line in stdin:
        command = json.loads(line)
        kind = command.get("cmd")
        if kind == "stats":
            out.write(json.dumps({"stats": _stats(env)}) + "\n")
            out.flush()
            continue
        wait = float(command.get("timeout", 60.0))
        ident = next(ids)
        result: AsyncResult = AsyncResult()
        pending[ident] = (result, [], len(workers))
        slices = split(int(command["plan"]["count"]), len(workers)) if kind == "open" else []
        for position, worker in enumerate(workers):
            sent = dict(command)
            if kind == "open":
                offset, count = slices[position]
                whole = command["plan"]["count"]
                sent["plan"] = {**command["plan"], "offset": offset, "count": count, "whole": whole}
            runner.send_message("wsbdd:command", {"id": ident, "command": sent}, worker.id)
        try:
            replies = result.get(timeout=wait)
        except gevent.Timeout:
            replies = pending[ident][1]
        del pending[ident]
        merged = merge_replies(replies)
        if kind == "open":
            _record(env, "connect", [s for r in replies for s in r.get("connected", [])])
        if kind == "arrivals":
            sent_at = command.get("sent", {})
            _record(
                env, "delivery", [at - sent_at[m] for _, m, at in merged.arrivals if m in sent_at]
            )
        errors = [r["error"] for r in replies if "error" in r]
        out.write(
            json.dumps(
                {
                    "workers": len(replies),
                    "expected_workers": len(workers),
                    "attempted": merged.attempted,
                    "failures": dict(merged.failures),
                    "elapsed": merged.elapsed,
                    "arrivals": merged.arrivals,
                    "errors": errors,
                    "missing": sum(int(r.get("missing", 0)) for r in replies),
                    "example": next((r["example"] for r in replies if r.get("example")), ""),
                }
            )
            + "\n"
        )
        out.flush()
        if kind == "quit":
            break
    runner.quit()


if __name__ == "__main__":
    main()
