"""Subscribing over SSE: a subscription is its client's event stream at ``[subscribe] path``.

An SSE connection sends nothing, so an SSE profile subscribes by opening the
stream the channel is served on (``path = "/sse/${channel}"``): the stream
opening (200, ``text/event-stream``) and staying open confirms the
subscription, an HTTP refusal (401, 403, ...) rejects it. The stream carries
the client's identity (from its earlier connection, or from "client A
authenticates as alice") and its headers. One client holds one stream, so it
follows one channel at a time; unsubscribing closes the stream. A reconnect
reopens the same stream with ``Last-Event-ID`` (that is how SSE resumes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.profiles import Template
from wsbdd.core.records import ConnectResult
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import Clients
from wsbdd.session.roster import ConnectSpec, Roster
from wsbdd.session.sse import SSE
from wsbdd.session.template_vars import TemplateVariables

__all__ = ["StreamOpener", "StreamSubscriptions"]


class StreamOpener(Protocol):
    """What a stream subscription needs of the connections area (``ConnectionOps``)."""

    def connect(self, name: str, spec: ConnectSpec, *, require_open: bool) -> ConnectResult:
        """Open client ``name``'s connection as ``spec`` says."""
        ...

    def confirm_open(self, name: str, verb: str, *, acknowledged: bool = False) -> None:
        """The new connection is still open once the settle time passed."""
        ...


class StreamSubscriptions:
    """The subscribe, confirm, reject and unsubscribe steps of an SSE profile."""

    def __init__(
        self,
        clients: Clients,
        roster: Roster,
        template_vars: TemplateVariables,
        redactor: Redactor,
        opener: Callable[[], StreamOpener],
    ) -> None:
        self._clients = clients
        self._roster = roster
        self._vars = template_vars
        self._redactor = redactor
        self._opener = opener
        """The connections area (a callable: it is built after the channels area)."""

    def subscribe(
        self, name: str, channel: str, path: Template, held: list[str], *, confirm: bool
    ) -> None:
        """Open client ``name``'s stream for ``channel`` (``held``: the channels it follows)."""
        others = [c for c in held if c != channel]
        if others and self._is_open(name):
            raise UsageError(
                f"client {name} already follows {others[0]} over SSE, and an SSE client holds "
                f"one event stream: subscribe another client to {channel}, or unsubscribe "
                f"client {name} from {others[0]} first"
            )
        target = str(path.render(self._vars(name, channel), channel=channel))
        enrolment = self._roster.enrolment(name)
        if enrolment is not None:
            spec = dataclasses.replace(enrolment.spec, target=target, transport=SSE)
        else:
            spec = ConnectSpec(target=target, transport=SSE)
        result = self._opener().connect(name, spec, require_open=False)
        if confirm:
            self._confirm(name, channel, result)

    def confirmed(self, name: str, channel: str) -> None:
        """The stream of ``channel`` opened and is still open."""
        self._confirm(name, channel, self._clients.view(name).result)

    def _confirm(self, name: str, channel: str, result: ConnectResult) -> None:
        if not result.opened:
            raise ExpectationFailed(
                self._redactor.text(
                    f"client {name}'s subscription to {channel} was rejected, expected it to "
                    f"be confirmed: the event stream {result.handshake.url} was "
                    f"{_refusal(result)}"
                )
            )
        self._opener().confirm_open(name, f"subscribed to {channel}")

    def rejected(self, name: str, channel: str) -> None:
        """The stream of ``channel`` was refused (an HTTP status), or closed at once."""
        client = self._clients.view(name)
        if not client.result.opened or not self._is_open(name):
            return
        raise ExpectationFailed(
            self._redactor.text(
                f"client {name}'s subscription to {channel} was confirmed, expected it to be "
                f"rejected: the event stream {client.result.handshake.url} opened "
                f"(HTTP {client.result.handshake.status}) and is still open"
            )
        )

    def unsubscribe(self, name: str) -> None:
        """Close client ``name``'s stream (an SSE client unsubscribes by hanging up)."""
        if self._is_open(name):
            self._clients.close(name, 1000, "unsubscribed")

    def _is_open(self, name: str) -> bool:
        if name not in self._clients.names():
            return False
        client = self._clients.view(name)
        return client.result.opened and client.is_open


def _refusal(result: ConnectResult) -> str:
    status = result.handshake.status
    detail = f" ({result.detail})" if result.detail else ""
    if status is not None:
        return f"refused with HTTP status {status}{detail}"
    return f"{result.outcome.value}{detail}"
