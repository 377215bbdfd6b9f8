"""Crowd steps for a scenario: many anonymous clients at once (``context.wsbdd.crowds``).

:class:`CrowdOps` turns the crowd phrases into operations of the crowd
runtime (:mod:`wsbdd.runtime.crowd`) on the run's loop:

* every member connects with the request a named client would use for the
  same clauses (:class:`~wsbdd.session.handshake.RequestBuilder`: the token goes
  where the API profile says);
* with a channel, every member sends the profile's subscribe message and
  waits for its ack; with an identity and a profile that authenticates by
  message, the auth message goes first;
* failures are :class:`~wsbdd.core.exceptions.ExpectationFailed` with counts and
  the most common reasons ("37 of 10000 clients failed to connect: 35 ×
  HTTP 503 Service Unavailable, 2 × timed out after 5 s").

A member counts what it received and keeps its latest few messages with their
arrival stamps (:mod:`wsbdd.runtime.crowd`): the content and latency checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.matching import Variables, describe_expected, matches
from wsbdd.core.profiles import DEFAULT_SETTLE, Profile, Template
from wsbdd.core.redaction import Redactor
from wsbdd.core.timing import format_duration
from wsbdd.runtime import ClientManager, Clients, ConnectRequest
from wsbdd.runtime.crowd import (
    DEFAULT_CONCURRENCY,
    Crowd,
    CrowdExchange,
    CrowdReport,
    closing_bound,
    describe_reasons,
)
from wsbdd.runtime.facade import GRACE
from wsbdd.runtime.progress import Progress
from wsbdd.session.arguments import Arguments
from wsbdd.session.crowd_expect import CrowdExpectations
from wsbdd.session.crowd_locust import LocustCrowdOps
from wsbdd.session.crowd_session import CrowdSession
from wsbdd.session.handshake import RequestBuilder
from wsbdd.session.profile_choice import ProfileChoice
from wsbdd.session.roster import ConnectSpec
from wsbdd.session.template_vars import TemplateVariables
from wsbdd.session.timing import ScenarioTiming
from wsbdd.session.transport_choice import require_websocket

__all__ = ["CrowdOps"]


class CrowdOps:
    """The scenario's crowds and the crowd phrases (one instance per scenario)."""

    def __init__(
        self,
        clients: Clients,
        args: Arguments,
        requests: RequestBuilder,
        template_vars: TemplateVariables,
        profiles: ProfileChoice,
        timing: ScenarioTiming,
        redactor: Redactor,
        crowd_context: CrowdSession,
    ) -> None:
        self._clients = clients
        self._args = args
        self._requests = requests
        self._vars = template_vars
        self._profiles = profiles
        self._timing = timing
        self._redactor = redactor
        self.crowds: list[Crowd] = []
        self.progress = Progress()
        self.last_cycle: CrowdReport | None = None
        self._context = crowd_context
        self.locust = LocustCrowdOps(crowd_context)
        """Crowds on Locust workers, when the scenario or the environment asks for them."""

    # -- steps ------------------------------------------------------------------------

    def connect(
        self,
        count: int,
        identity: str | None = None,
        channel: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate: float | None = None,
    ) -> CrowdReport:
        """``Given 500 clients are connected [as carol] [and subscribed to room:lobby]``.

        ``concurrency``: handshakes in flight at most; ``rate``: a ramp-up, in
        new connections per second.
        """
        if count < 1:
            raise UsageError(f"a crowd needs at least 1 client, got {count}")
        if concurrency < 1:
            raise UsageError(f"at least 1 client must connect at a time, got {concurrency}")
        if rate is not None and rate <= 0:
            raise UsageError(f"the connection rate must be above 0 per second, got {rate:g}")
        identity = self._args.text(identity) if identity else None
        channel = self._args.text(channel) if channel else None
        request, greeting = self._plan(identity, channel)
        label = _label(count, identity, channel)
        crowd = self._new_crowd(request, count, greeting, concurrency, label)
        if self.locust.active:
            bound = crowd.open_bound(count, concurrency) + GRACE + (count / rate if rate else 0)
            report = self.locust.connect(request, count, greeting, concurrency, label, bound)
            self._fail_connect(report, count, identity, channel, concurrency, rate)
            return report

        async def open_crowd(manager: ClientManager) -> CrowdReport:
            manager.add_crowd(crowd)
            return await crowd.open(rate)

        self.crowds.append(crowd)
        bound = crowd.open_bound(count, concurrency) + GRACE
        if rate is not None:
            bound += count / rate
        report = self._clients.run(open_crowd, bound)
        self._fail_connect(report, count, identity, channel, concurrency, rate)
        return report

    def _fail_connect(
        self,
        report: CrowdReport,
        count: int,
        identity: str | None,
        channel: str | None,
        concurrency: int,
        rate: float | None,
    ) -> None:
        if report.failed:
            raise ExpectationFailed(
                self._redact(
                    f"{report.failed} of {count} clients failed to "
                    f"{_doing(identity, channel)}: {report.describe_failures()} "
                    f"(in {format_duration(report.elapsed)}, "
                    + (f"{rate:g} per second)" if rate else f"{concurrency} at a time)")
                )
            )

    def connect_and_disconnect(
        self, total: int, concurrency: int, identity: str | None = None
    ) -> CrowdReport:
        """``When 10000 clients connect and disconnect, 200 at a time``."""
        if total < 1:
            raise UsageError(f"the number of clients must be at least 1, got {total}")
        if concurrency < 1:
            raise UsageError(f"at least 1 client must connect at a time, got {concurrency}")
        identity = self._args.text(identity) if identity else None
        request, greeting = self._plan(identity, None)
        crowd = self._new_crowd(request, 0, greeting, concurrency, f"{total} cycles")

        async def cycle(manager: ClientManager) -> CrowdReport:
            manager.add_crowd(crowd)
            return await crowd.cycle(total, concurrency)

        report = self._clients.run(cycle, crowd.cycle_bound(total, concurrency) + GRACE)
        self.last_cycle = report
        if report.failed:
            raise ExpectationFailed(
                self._redact(
                    f"{report.failed} of {total} connect/disconnect cycles failed: "
                    f"{report.describe_failures()} (in {format_duration(report.elapsed)}, "
                    f"{concurrency} at a time, {report.rate:.0f} cycles/s)"
                )
            )
        return report

    def reconnect(self, count: int) -> CrowdReport:
        """``When the 500 clients reconnect at once``: close all, reopen all together.

        Failed reconnections do not fail this step: "all 500 clients are
        connected within T" checks the outcome.
        """
        crowd = self.find(count)

        async def reconnect(manager: ClientManager) -> CrowdReport:
            return await crowd.reconnect()

        return self._clients.run(reconnect, crowd.reconnect_bound() + GRACE)

    def assert_connected(self, count: int, within: float) -> None:
        """``Then all 500 clients are connected within 10 s`` of the latest operation's start."""
        crowd = self.find(count)
        limit = self._timing.scaled(within)

        async def wait(manager: ClientManager) -> tuple[list[str], float | None]:
            missing = await crowd.wait_connected(limit)
            problems = [m.problem() or "not connected" for m in missing]
            opened = [m.opened_at for m in crowd.members if m.opened_at is not None]
            last = max(opened) - crowd.started_at if opened and not missing else None
            return problems, last

        problems, last = self._clients.run(wait, limit + GRACE)
        report = crowd.last_report
        what = f"the {report.operation}" if report is not None else "the crowd's last operation"
        if problems:
            raise ExpectationFailed(
                self._redact(
                    f"only {count - len(problems)} of {count} clients are connected "
                    f"{format_duration(limit)} after {what} started: "
                    f"{describe_reasons(Counter(problems))}"
                )
            )
        if last is not None and last > limit:
            raise ExpectationFailed(
                f"all {count} clients are connected, but the last one only "
                f"{format_duration(last)} after {what} started (limit {format_duration(limit)})"
            )

    def assert_each_received(self, count: int, messages: int, within: float | None) -> None:
        """``Then each of the 500 clients receives 10 messages within 2 s``.

        Counts what each member received after its greeting (the subscribe
        acknowledgement) completed; waits until T after the last trigger.
        """
        crowd = self.find(count)
        deadline = self._timing.message(within)

        members = crowd.members
        done = 0  # members[:done] have enough (since_greeting only grows while waiting)

        def enough() -> bool:
            nonlocal done
            while done < len(members) and members[done].since_greeting >= messages:
                done += 1
            return done == len(members)

        async def wait(manager: ClientManager) -> list[tuple[int, int, str]]:
            await crowd.wait_until(enough, deadline.remaining(), lambda: done)
            return [
                (m.index, m.since_greeting, m.problem() or "still connected")
                for m in crowd.members
                if m.since_greeting < messages
            ]

        short = self._clients.run(wait, deadline.remaining() + GRACE)
        if short:
            index, got, state = short[0]
            counts = Counter(got for _, got, _ in short)
            spread = ", ".join(f"{n} × {c} received" for c, n in sorted(counts.items()))
            raise ExpectationFailed(
                self._redact(
                    f"{len(short)} of {count} clients received fewer than {messages} messages "
                    f"{deadline.describe()} ({spread}); e.g. member #{index} received {got} "
                    f"and is {state}"
                )
            )

    def assert_each_receives(self, count: int, expected: Any, within: float | None) -> None:
        """``Then each of the 500 clients receives {"type": "message"} within 2 s``."""
        remote = self.locust.find(count)
        if remote is not None:
            self.locust.each_receives(remote, expected, within)
            return
        CrowdExpectations(self._context).each_receives(self.find(count), expected, within)

    def assert_each_receives_from(
        self, count: int, text: str, sender: str, channel: str, within: float | None
    ) -> None:
        """``Then each of the 500 clients receives "hi" from alice in room:lobby within 2 s``."""
        checks = CrowdExpectations(self._context)
        remote = self.locust.find(count)
        if remote is not None:
            expected = checks.expected_delivery(text, sender, channel)
            self.locust.each_receives(remote, expected, within)
            return
        checks.each_receives_from(self.find(count), text, sender, channel, within)

    def assert_latency(self, sender: str, count: int, rank: float, limit: float) -> None:
        """``Then the p99 delivery latency from client A to the 500 clients is below 300 ms``."""
        remote = self.locust.find(count)
        if remote is not None:
            sent, mark_path = CrowdExpectations(self._context).sent_marks(sender)
            self.locust.latency(sender, remote, rank, limit, sent, mark_path)
            return
        CrowdExpectations(self._context).assert_latency(sender, self.find(count), rank, limit)

    def disconnect_all(self) -> None:
        """Close every member of every crowd with 1000 (``When all clients disconnect``).

        The crowds stay known, so "all N clients are connected" then fails.
        """
        self._close(list(self.crowds))

    def find(self, count: int) -> Crowd:
        """The scenario's latest crowd of ``count`` clients (UsageError if none)."""
        for crowd in reversed(self.crowds):
            if crowd.size == count:
                return crowd
        if not self.crowds:
            raise UsageError(
                f"this scenario has no crowd of {count} clients: "
                f'start one with "Given {count} clients are connected"'
            )
        known = ", ".join(c.label for c in self.crowds)
        raise UsageError(f"this scenario has no crowd of {count} clients (it has: {known})")

    def close(self) -> None:
        """Close every crowd (bounded; the end-of-scenario reset aborts what is left)."""
        self.locust.close()
        crowds, self.crowds = self.crowds, []
        with contextlib.suppress(TimeoutError):  # ClientManager.reset() aborts what is left
            self._close(crowds)

    # -- building -----------------------------------------------------------------------

    def _new_crowd(
        self,
        request: ConnectRequest,
        size: int,
        greeting: tuple[CrowdExchange, ...],
        concurrency: int,
        label: str,
    ) -> Crowd:
        profile = self._profiles.current
        timing = self._timing
        return Crowd(
            request,
            size,
            concurrency=concurrency,
            greeting=greeting,
            ack_timeout=timing.default_wait(),
            confirm_window=timing.scaled(profile.confirm_window) if profile else 0.0,
            settle=timing.scaled(profile.connection.settle if profile else DEFAULT_SETTLE),
            progress=self.progress,
            label=label,
        )

    def _plan(
        self, identity: str | None, channel: str | None
    ) -> tuple[ConnectRequest, tuple[CrowdExchange, ...]]:
        """The members' connect request and the frames each sends once connected."""
        request, token = self._requests.prepare(ConnectSpec(identity=identity))
        require_websocket(request.transport, profile := self._profiles.current)
        greeting: list[CrowdExchange] = []
        welcome = profile.connection if profile is not None else None
        if profile is not None and welcome is not None and (welcome.ack or welcome.rejections):
            # "Connected": the welcome arrives (or the settle time passes), no close.
            variables = self._variables(profile, identity, token, None)
            exchange = _exchange(None, welcome.ack, welcome.rejections, variables, "connection")
            patience = self._timing.scaled(welcome.settle)
            greeting.append(dataclasses.replace(exchange, patience=patience))
        if (
            identity is not None
            and profile is not None
            and self._requests.strategy.by_message
            and profile.auth.on_connect
            and (message := profile.auth.message) is not None
        ):
            auth = profile.auth
            variables = self._variables(profile, identity, token, None)
            greeting.append(
                _exchange(
                    message, auth.ack, auth.rejections, variables, f"authentication as {identity}"
                )
            )
        if channel is not None:
            profile = self._profiles.required  # a UsageError without a profile
            subscribe = profile.subscribe
            if subscribe is None:
                raise profile.missing("subscribe", "subscribing")
            variables = self._variables(profile, identity, token, channel)
            greeting.append(
                _exchange(
                    subscribe.send,
                    subscribe.ack,
                    subscribe.rejections,
                    variables,
                    f"subscription to {channel}",
                )
            )
        return request, tuple(greeting)

    def _variables(
        self, profile: Profile, identity: str | None, token: str | None, channel: str | None
    ) -> Variables:
        """The template variables of a member, as a named client would have them.

        The channel's wildcards and its variables (themselves templates) come
        from :class:`~wsbdd.session.template_vars.TemplateVariables`; every member
        shares one operation id. ``profile`` is the session's.
        """
        extra: dict[str, Any] = {}
        if identity is not None:
            extra["user"] = identity
        if token is not None:
            extra["token"] = token
        if channel is not None:
            extra["operation_id"] = f"{channel}#crowd"
        return self._vars(None, channel, **extra)

    def _close(self, crowds: list[Crowd]) -> None:
        """Close ``crowds`` together on the loop, bounded (raises TimeoutError past it)."""
        if not crowds:
            return

        async def close_all(manager: ClientManager) -> None:
            await asyncio.gather(*(crowd.close() for crowd in crowds))

        self._clients.run(close_all, closing_bound(crowds) + GRACE)

    def _redact(self, text: str) -> str:
        return self._redactor.text(text)


def _exchange(
    send: Template | None,
    ack: Template | None,
    rejects: Sequence[Template],
    variables: Variables,
    what: str,
) -> CrowdExchange:
    """What a member sends (nothing for ``send`` None) and how it recognises the answers."""
    ack_value = ack.render(variables) if ack is not None else None
    reject_values = [template.render(variables) for template in rejects]
    return CrowdExchange(
        text=json.dumps(send.render(variables), ensure_ascii=False) if send is not None else "",
        what=what,
        expected=describe_expected(ack_value) if ack is not None else "",
        ack=functools.partial(matches, ack_value) if ack is not None else None,
        reject=functools.partial(_any_match, reject_values) if reject_values else None,
    )


def _any_match(expected: Sequence[Any], payload: Any) -> bool:
    return any(matches(value, payload) for value in expected)


def _clauses(identity: str | None, channel: str | None, subscribe: str) -> str:
    return (f" as {identity}" if identity else "") + (f"{subscribe}{channel}" if channel else "")


def _label(count: int, identity: str | None, channel: str | None) -> str:
    return f"{count} clients" + _clauses(identity, channel, " subscribed to ")


def _doing(identity: str | None, channel: str | None) -> str:
    return "connect" + _clauses(identity, channel, " and subscribe to ")
