"""Crowd steps on Locust workers (``Given crowds run on 2 Locust workers``).

When a scenario says so (or the environment sets ``WSBDD_LOCUST_WORKERS``),
``Given N clients are connected ...`` opens its members on Locust worker
processes through :class:`wsbdd.distributed.driver.LocustCrowds`, and the
content and latency phrases ask the workers what their members kept:

* the verdicts are worded like a one-process crowd's ("12 of 500 clients did
  not receive ...; e.g. member #317 ..."), counted over every worker;
* latency samples are arrival (stamped by the asyncio runtime in each
  worker's member host) minus send (stamped by this run's loop): the same
  ``time.monotonic`` clock, so workers must run on this machine for latency
  (remote workers are fine for counts and content);
* Locust's own statistics (``WS connect``, ``WS delivery``) are attached to
  the Allure report after each of these steps.

The master and its workers start once per run (the first scenario that needs
them) and stop when the run's process exits.

Environment keys: ``WSBDD_LOCUST_WORKERS`` (how many), ``WSBDD_LOCUST_BIND``
(the address the master listens on, 127.0.0.1 by default),
``WSBDD_LOCUST_PORT`` (its port, any free one by default) and
``WSBDD_LOCUST_REMOTE=1`` (start no local workers: wait for ``locust --worker
--master-host ...`` from other machines, see docs/locust.md).
"""

from __future__ import annotations

import atexit
import functools
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.matching import describe_expected
from wsbdd.core.timing import LatencyStats, format_duration, percentile
from wsbdd.reporting._allure import attach_json
from wsbdd.runtime.crowd import CrowdExchange, CrowdReport
from wsbdd.session.crowd_session import CrowdSession

if TYPE_CHECKING:
    from wsbdd.distributed.driver import LocustCrowds
    from wsbdd.runtime.request import ConnectRequest

__all__ = ["WORKERS_ENV", "LocustCrowdOps", "RemoteCrowd", "workers_from_environment"]

WORKERS_ENV = "WSBDD_LOCUST_WORKERS"
"""Environment key: the number of Locust workers every crowd runs on."""

_RUNNING: dict[tuple[int, str, int, bool], LocustCrowds] = {}


@dataclass(frozen=True)
class RemoteCrowd:
    """A crowd whose members live on Locust workers: its name there and its size."""

    name: str
    size: int
    label: str


def workers_from_environment(values: Mapping[str, str] | None = None) -> int | None:
    """``WSBDD_LOCUST_WORKERS`` of the environment file (``values``) or the shell, as a
    number (None when unset or 0)."""
    raw = ((values or {}).get(WORKERS_ENV) or os.environ.get(WORKERS_ENV, "")).strip()
    if not raw:
        return None
    try:
        workers = int(raw)
    except ValueError:
        raise UsageError(f"{WORKERS_ENV} must be a number of workers, got {raw!r}") from None
    return workers or None


def _master(workers: int) -> LocustCrowds:
    bind = os.environ.get("WSBDD_LOCUST_BIND", "127.0.0.1")
    port = int(os.environ.get("WSBDD_LOCUST_PORT", "0") or 0)
    remote = os.environ.get("WSBDD_LOCUST_REMOTE", "") in ("1", "true", "yes")
    key = (workers, bind, port, remote)
    if key not in _RUNNING:
        from wsbdd.distributed.driver import LocustCrowds

        for other in list(_RUNNING):
            _RUNNING.pop(other).close()
        _RUNNING[key] = LocustCrowds(workers, local=not remote, bind=bind, port=port)
    return _RUNNING[key]


@atexit.register
def _stop_all() -> None:
    for crowds in list(_RUNNING.values()):
        crowds.close()
    _RUNNING.clear()


def _plan_exchange(exchange: CrowdExchange) -> dict[str, Any]:
    """A greeting frame as plain JSON for a worker (the matchers' expected values)."""
    spec: dict[str, Any] = {"text": exchange.text, "what": exchange.what}
    if isinstance(exchange.ack, functools.partial):
        spec["ack"] = exchange.ack.args[0]
    if isinstance(exchange.reject, functools.partial):
        rejects = exchange.reject.args[0]
        if rejects:
            spec["reject"] = rejects[0]
    if exchange.patience is not None:
        spec["patience"] = exchange.patience
    return spec


class LocustCrowdOps:
    """The scenario's crowds on Locust workers (see the module docstring)."""

    def __init__(self, session: CrowdSession) -> None:
        self._session = session
        self.workers: int | None = workers_from_environment(session.run.settings.values)
        self.crowds: list[RemoteCrowd] = []
        self._names = 0

    @property
    def active(self) -> bool:
        """Whether crowds of this scenario run on Locust workers."""
        return self.workers is not None

    def use(self, workers: int) -> None:
        """``Given crowds run on 2 Locust workers``."""
        if workers < 1:
            raise UsageError(f"crowds need at least 1 Locust worker, got {workers}")
        self.workers = workers

    def _crowds(self) -> LocustCrowds:
        assert self.workers is not None
        return _master(self.workers)

    def connect(
        self,
        request: ConnectRequest,
        count: int,
        greeting: tuple[CrowdExchange, ...],
        concurrency: int,
        label: str,
        bound: float,
    ) -> CrowdReport:
        """Open ``count`` members over the workers; the report of every slice added up."""
        self._names += 1
        name = f"{label} #{self._names}"
        plan = {
            "url": request.url,
            "headers": [list(h) for h in request.headers],
            "open_timeout": request.open_timeout,
            "count": count,
            "concurrency": concurrency,
            "greeting": [_plan_exchange(g) for g in greeting],
            "ack_timeout": self._session.scaled(self._session.default_timeout),
        }
        reply = self._crowds().command({"cmd": "open", "crowd": name, "plan": plan}, bound)
        self._check_workers(reply)
        self.crowds.append(RemoteCrowd(name, count, label))
        self._attach_stats()
        return CrowdReport(
            "connect", int(reply["attempted"]), Counter(reply["failures"]), 0.0, reply["elapsed"]
        )

    def find(self, count: int) -> RemoteCrowd | None:
        """The latest crowd of ``count`` clients on the workers (None: none)."""
        return next((c for c in reversed(self.crowds) if c.size == count), None)

    def each_receives(self, crowd: RemoteCrowd, expected: Any, within: float | None) -> None:
        """Every member on every worker kept a message matching ``expected``."""
        session = self._session
        deadline = session.deadline(within)
        since = deadline.origin if deadline.reference == "the last trigger" else None
        command = {
            "cmd": "matching",
            "crowd": crowd.name,
            "expected": expected,
            "since": since,
            "wait": deadline.remaining(),
        }
        reply = self._crowds().command(command, deadline.remaining() + 5.0)
        self._check_workers(reply)
        if reply["missing"]:
            raise ExpectationFailed(
                session.run.redactor.text(
                    f"{reply['missing']} of {crowd.size} clients did not receive "
                    f"{describe_expected(expected)} {deadline.describe()} (on "
                    f"{reply['workers']} Locust workers); e.g. {reply['example']}"
                )
            )

    def latency(
        self,
        sender: str,
        crowd: RemoteCrowd,
        rank: float,
        limit: float,
        sent: dict[str, float],
        mark_path: str,
    ) -> None:
        """The ``rank`` percentile of delivery latency to every member on the workers."""
        session = self._session
        wait = session.scaled(session.default_timeout)
        command = {
            "cmd": "arrivals",
            "crowd": crowd.name,
            "marks": list(sent),
            "mark_path": mark_path,
            "wait": wait,
            "sent": sent,
        }
        reply = self._crowds().command(command, wait + 5.0)
        self._check_workers(reply)
        samples = [at - sent[mark] for _, mark, at in reply["arrivals"] if mark in sent]
        lost = crowd.size * len(sent) - len(samples)
        receiver = f"the {crowd.size} clients"
        stats = LatencyStats.from_samples(samples, lost=lost)
        session.latency_reports.append((sender, receiver, stats, samples, rank, limit))
        self._attach_stats()
        value = percentile(samples, rank) if samples else None
        reasons = []
        if value is None:
            reasons.append("no publication arrived")
        elif value >= limit:
            reasons.append(f"p{rank:g} is {format_duration(value)}")
        if lost:
            reasons.append(f"{lost} deliveries never arrived (waited {format_duration(wait)})")
        if reasons:
            raise ExpectationFailed(
                f"delivery latency from client {sender} to {receiver} (on "
                f"{reply['workers']} Locust workers): {'; '.join(reasons)}; expected "
                f"p{rank:g} below {format_duration(limit)}\n  {stats.render()}"
            )

    def close(self) -> None:
        """Close this scenario's crowds on the workers (the workers stay for the run)."""
        crowds, self.crowds = self.crowds, []
        if not crowds or not _RUNNING:
            return
        master = self._crowds()
        for crowd in crowds:
            master.command({"cmd": "close", "crowd": crowd.name}, 30.0)

    def _check_workers(self, reply: dict[str, Any]) -> None:
        if reply.get("errors") or reply.get("workers") != reply.get("expected_workers"):
            raise UsageError(
                f"only {reply.get('workers')} of {reply.get('expected_workers')} Locust workers "
                f"answered: {'; '.join(reply.get('errors') or ['no reply in time'])}"
            )

    def _attach_stats(self) -> None:
        stats = self._crowds().command({"cmd": "stats"}, 5.0).get("stats", [])
        attach_json(stats, "Locust statistics")
