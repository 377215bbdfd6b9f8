"""The asyncio side of a Locust worker: one crowd slice, driven by JSON lines on stdin.

Run as ``python -m wsbdd.distributed.member_host`` (a plain process: no gevent,
so the crowd runtime stamps arrivals on its own asyncio loop exactly as in a
one-process run). Each stdin line is a command, each stdout line its reply:

* ``{"cmd": "open", "plan": {...}}``: open ``plan["count"]`` members (indices
  from ``plan["offset"]``) with the plan's URL and greeting; replies
  ``attempted``, ``failures`` (reason → count), ``elapsed`` and ``connected``
  (seconds from the start to each member's handshake, for Locust's statistics);
* ``{"cmd": "arrivals", "marks": [...], "mark_path": "$.mark", "wait": s}``:
  waits (bounded) until every member kept every mark, then replies
  ``arrivals``: ``[index, mark, stamp]`` for each (stamps are ``time.monotonic``,
  system-wide on one machine);
* ``{"cmd": "matching", "expected": {...}, "since": t, "wait": s}``: how many
  members kept no message partially matching ``expected`` (``missing``), and
  one of them in full (``example``);
* ``{"cmd": "close", "crowd": name}``: closes that crowd's members;
  ``{"cmd": "quit"}`` closes every crowd and exits.

Every command but ``quit`` names its crowd (``"crowd"``: the scenario's label).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from functools import partial
from typing import Any

from wsbdd.core.matching import PathNotFound, matches, select
from wsbdd.runtime.crowd import Crowd, CrowdExchange
from wsbdd.runtime.request import ConnectRequest

__all__ = ["CrowdHost", "main"]


def _exchange(spec: Mapping[str, Any]) -> CrowdExchange:
    ack = spec.get("ack")
    reject = spec.get("reject")
    return CrowdExchange(
        text=str(spec.get("text", "")),
        what=str(spec.get("what", "greeting")),
        ack=partial(matches, ack) if ack is not None else None,
        reject=partial(matches, reject) if reject is not None else None,
        patience=spec.get("patience"),
    )


class CrowdHost:
    """This process's slices of crowds, by crowd name (see the module docstring)."""

    def __init__(self) -> None:
        self.crowds: dict[str, tuple[Crowd, int]] = {}

    @property
    def crowd(self) -> Crowd | None:
        """The latest crowd opened (None before the first)."""
        return next(reversed(self.crowds.values()))[0] if self.crowds else None

    async def handle(self, command: Mapping[str, Any]) -> dict[str, Any]:
        """Run one command; its reply."""
        kind = command.get("cmd")
        name = str(command.get("crowd", "crowd"))
        if kind == "open":
            return await self.open(name, command["plan"])
        if kind == "arrivals":
            return await self.arrivals(
                name, list(command["marks"]), str(command["mark_path"]), float(command["wait"])
            )
        if kind == "matching":
            return await self.matching(
                name, command["expected"], command.get("since"), float(command["wait"])
            )
        if kind in ("close", "quit"):
            names = [name] if kind == "close" and "crowd" in command else list(self.crowds)
            for each in names:
                crowd, _ = self.crowds.pop(each, (None, 0))
                if crowd is not None:
                    await crowd.close()
            return {"closed": len(names)}
        return {"error": f"unknown command {kind!r}"}

    def _slice(self, name: str) -> tuple[Crowd, int]:
        if name not in self.crowds:
            raise KeyError(f"no crowd {name!r} on this worker")
        return self.crowds[name]

    async def matching(
        self, name: str, expected: Any, since: float | None, wait: float
    ) -> dict[str, Any]:
        """How many members kept no message matching ``expected``; one of them in full."""
        from wsbdd.session.crowd_checks import ContentWatch, describe_member

        crowd, offset = self._slice(name)
        watch = ContentWatch(crowd.members, expected, since)
        await crowd.wait_until(watch.complete, wait)
        missing = watch.missing()
        example = ""
        if missing:
            member = crowd.members[missing[0]]
            example = describe_member(member).replace(
                f"member #{member.index}", f"member #{offset + member.index}", 1
            )
        return {"attempted": crowd.size, "missing": len(missing), "example": example}

    async def open(self, name: str, plan: Mapping[str, Any]) -> dict[str, Any]:
        request = ConnectRequest(
            url=str(plan["url"]),
            headers=[tuple(h) for h in plan.get("headers", [])],
            open_timeout=float(plan.get("open_timeout", 10.0)),
        )
        offset = int(plan.get("offset", 0))
        crowd = Crowd(
            request,
            int(plan["count"]),
            concurrency=int(plan.get("concurrency", 200)),
            greeting=[_exchange(g) for g in plan.get("greeting", [])],
            ack_timeout=float(plan.get("ack_timeout", 2.0)),
            keep=int(plan.get("keep", 8)),
            label=f"{name} from #{offset}",
            first_index=offset,
            whole_size=int(plan.get("whole", plan["count"])),
        )
        self.crowds[name] = (crowd, offset)
        report = await crowd.open()
        connected = [
            m.opened_at - report.started_at for m in crowd.members if m.opened_at is not None
        ]
        return {
            "attempted": report.attempted,
            "failures": dict(report.failures),
            "elapsed": report.elapsed,
            "connected": connected,
        }

    async def arrivals(
        self, name: str, marks: list[str], mark_path: str, wait: float
    ) -> dict[str, Any]:
        """Every kept delivery of ``marks``: ``[index, mark, stamp]``, waiting for stragglers."""
        crowd, offset = self._slice(name)
        wanted = set(marks)
        found: list[dict[str, float]] = [{} for _ in crowd.members]

        def look(position: int) -> bool:
            member, seen = crowd.members[position], found[position]
            for at, data in member.inbox or []:
                try:
                    mark = select(json.loads(data), mark_path)
                except (ValueError, PathNotFound, TypeError):
                    continue
                if isinstance(mark, str) and mark in wanted:
                    seen.setdefault(mark, at)
            return len(seen) == len(wanted)

        front = 0

        def complete() -> bool:
            nonlocal front
            while front < len(crowd.members) and look(front):
                front += 1
            return front == len(crowd.members)

        await crowd.wait_until(complete, wait)
        for position in range(front, len(crowd.members)):
            look(position)
        return {
            "attempted": crowd.size,
            "arrivals": [
                [offset + i, mark, at] for i, seen in enumerate(found) for mark, at in seen.items()
            ],
        }


async def _serve() -> None:
    host = CrowdHost()
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        try:
            command = json.loads(line)
            reply = await host.handle(command)
        except Exception as exc:  # the worker relays it; the host keeps serving
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
        if command.get("cmd") == "quit":
            break
    await host.handle({"cmd": "quit"})


def main() -> None:
    """Serve commands until stdin ends or a close arrives."""
    from wsbdd.runtime._fd_limits import raise_fd_limit

    raise_fd_limit(1 << 20)
    asyncio.run(_serve())


if __name__ == "__main__":
    main()
