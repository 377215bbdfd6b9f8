"""Channel operations through the API profile: subscribe, publish, receive, ping, resume.

Every publication carries a correlation *mark* (``${mark}`` in the profile's
publish template, echoed back at ``delivery.mark``): see
:mod:`wsbdd.session.publications`, and :mod:`wsbdd.session.deliveries` for the
checks on what arrived.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.matching import PathNotFound, Variables, describe_expected, matches, select
from wsbdd.core.profiles import DeliverySpec, Exchange, Profile, put_path
from wsbdd.core.records import Message
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import Clients, ClientView
from wsbdd.session.answers import await_answer
from wsbdd.session.http_publish import HttpPublisher
from wsbdd.session.profile_choice import ProfileChoice
from wsbdd.session.publications import Publication, Publications
from wsbdd.session.receiving import Receiver
from wsbdd.session.stream_channels import StreamSubscriptions
from wsbdd.session.template_vars import TemplateVariables
from wsbdd.session.timing import ScenarioTiming

__all__ = ["ChannelOps"]


class ChannelOps:
    """The high-level steps, spelled for the API under test by its profile."""

    def __init__(
        self,
        clients: Clients,
        receiver: Receiver,
        template_vars: TemplateVariables,
        profiles: ProfileChoice,
        publications: Publications,
        timing: ScenarioTiming,
        redactor: Redactor,
        publisher: HttpPublisher,
        streams: StreamSubscriptions,
    ) -> None:
        self._clients = clients
        self._publisher = publisher
        self._streams = streams
        self._receiver = receiver
        self.variables = template_vars
        self._profiles = profiles
        self._publications = publications
        self._timing = timing
        self._redactor = redactor
        self._subscriptions: dict[str, list[str]] = {}

    # -- profile and templates ----------------------------------------------

    @property
    def profile(self) -> Profile:
        """The scenario's API profile (a UsageError without one)."""
        return self._profiles.required

    def _send(self, name: str, template_value: Any) -> float:
        return self._clients.send_value(name, template_value)

    def _exchange(self, value: Exchange | None, key: str, what: str) -> Exchange:
        if value is None:
            raise self.profile.missing(key, what)
        return value

    # -- subscriptions ----------------------------------------------------------

    def subscribe(self, name: str, channel: str, *, confirm: bool) -> None:
        """Send the profile's subscribe message; with ``confirm``, wait for its ack.

        An SSE profile opens the client's event stream at ``[subscribe] path`` instead.
        """
        subscribed = self._subscriptions.setdefault(name, [])
        stream = self.profile.stream
        if stream is not None:
            self._streams.subscribe(name, channel, stream, subscribed, confirm=False)
            self._subscriptions[name] = [channel]
            if confirm:
                self.confirmed(name, channel)
            return
        exchange = self._exchange(self.profile.subscribe, "subscribe", "subscribing")
        self._send(name, exchange.send.render(self.variables(name, channel), channel=channel))
        if channel not in subscribed:
            subscribed.append(channel)
        if confirm:
            self.confirmed(name, channel)

    def confirmed(self, name: str, channel: str) -> None:
        """The subscription's ack arrives (or, with no ack in the profile, no rejection)."""
        if self.profile.stream is not None:
            self._streams.confirmed(name, channel)
            return
        exchange = self._exchange(self.profile.subscribe, "subscribe", "subscribing")
        self._await_answer(name, channel, exchange, f"subscription to {channel}", want="ack")

    def rejected(self, name: str, channel: str) -> None:
        """The server refuses the subscription (the profile's reject message, or a close)."""
        if self.profile.stream is not None:
            self._streams.rejected(name, channel)
            return
        exchange = self._exchange(self.profile.subscribe, "subscribe", "subscribing")
        if exchange.reject is None:
            raise self.profile.missing("subscribe.reject", "checking a rejected subscription")
        self._await_answer(name, channel, exchange, f"subscription to {channel}", want="reject")

    def unsubscribe(self, name: str, channel: str) -> None:
        """Send the profile's unsubscribe message (and wait for its ack if it has one)."""
        if self.profile.stream is not None:
            self._streams.unsubscribe(name)
            self._subscriptions.pop(name, None)
            return
        exchange = self._exchange(self.profile.unsubscribe, "unsubscribe", "unsubscribing")
        self._send(name, exchange.send.render(self.variables(name, channel), channel=channel))
        if channel in self._subscriptions.get(name, []):
            self._subscriptions[name].remove(channel)
        if exchange.ack is not None:
            self._await_answer(
                name, channel, exchange, f"unsubscription from {channel}", want="ack"
            )

    def subscriptions(self, name: str) -> list[str]:
        """The channels client ``name`` is subscribed to, in subscription order."""
        return list(self._subscriptions.get(name, []))

    def _await_answer(
        self, name: str, channel: str, exchange: Exchange, what: str, *, want: str
    ) -> None:
        variables = self.variables(name, channel)
        ack = exchange.ack.render(variables, channel=channel) if exchange.ack else None
        rejects = [t.render(variables, channel=channel) for t in exchange.rejections]
        reject = rejects[0] if rejects else None
        deadline = self._timing.message(None)
        if ack is None and want == "ack":
            # No acknowledgement in this protocol: confirmed when nothing refuses it.
            deadline = self._timing.window(self.profile.confirm_window)

        outcome = await_answer(self._clients, name, ack, rejects, deadline)
        client = self._clients.view(name)
        if outcome is None:
            if want == "ack" and ack is None:
                return
            expected = ack if want == "ack" else reject
            raise self._receiver.failure(
                name,
                f"see the {what} {'confirmed' if want == 'ack' else 'rejected'} "
                f"({describe_expected(expected)})",
                deadline,
                expected,
            )
        kind, message = outcome
        if kind == want:
            return
        if kind == "closed" and want == "reject":
            return  # a server may refuse by closing the connection
        shown = (
            message.display()
            if message is not None
            else (client.close_info.describe() if client.close_info else "closed")
        )
        verdict = (
            "rejected" if kind == "reject" else ("confirmed" if kind == "ack" else "cut short")
        )
        raise ExpectationFailed(
            self._redactor.text(
                f"client {name}'s {what} was {verdict}, expected it to be "
                f"{'confirmed' if want == 'ack' else 'rejected'}: {shown}"
            )
        )

    # -- publishing ---------------------------------------------------------------

    def publish(self, name: str, channel: str, text: str) -> Publication:
        """Publish ``text`` to ``channel``, marked so that its deliveries can be found and timed."""
        exchange = self.profile.publish_for(channel)
        index = self._publications.next_index(name)
        mark = self._publications.mark(name, index)
        variables = self.variables(name, channel, text=text, mark=mark)
        frame = exchange.send.render(variables, channel=channel)
        if exchange.http is not None:
            sent_at = self._publisher.publish(name, channel, exchange, [frame], [variables])[0]
        else:
            sent_at = self._send(name, frame)
        publication = Publication(name, channel, index, mark, text, sent_at)
        self._publications.add(publication)
        return publication

    def publish_many(self, name: str, channel: str, count: int, rate: float | None) -> None:
        """Publish ``count`` numbered messages, paced at ``rate`` per second if given."""
        if count < 1:
            raise UsageError("the number of messages must be at least 1")
        exchange = self.profile.publish_for(channel)
        first = self._publications.next_index(name)
        context, declared = self.variables.context(name, channel)  # the same for every message
        pending: list[tuple[int, str, str]] = []
        frames: list[Any] = []
        rendered: list[Variables] = []
        for offset in range(count):
            index = first + offset
            mark = self._publications.mark(name, index)
            text = f"message {offset + 1} of {count} from {name}"
            variables = self.variables.complete(
                context, declared, channel, {"text": text, "mark": mark}
            )
            value = exchange.send.render(variables, channel=channel)
            frames.append(value)
            rendered.append(variables)
            pending.append((index, mark, text))
        if exchange.http is not None:
            sent = self._publisher.publish(name, channel, exchange, frames, rendered, rate)
        else:
            sent = self._clients.send_many_values(name, frames, rate)
        for (index, mark, text), sent_at in zip(pending, sent, strict=True):
            self._publications.add(Publication(name, channel, index, mark, text, sent_at))

    # -- deliveries -----------------------------------------------------------------

    def expected_delivery(
        self, name: str, channel: str, text: str | None, sender: str | None
    ) -> tuple[Any, DeliverySpec]:
        """The partial message a delivery of ``text`` from ``sender`` must match."""
        delivery = self.profile.delivery_for(channel)
        expected = delivery.match.render(self.variables(name, channel), channel=channel)
        if text is not None:
            if delivery.text is None:
                raise self.profile.missing("delivery.text", "checking a delivered text")
            expected = put_path(expected, delivery.text, text)
        if sender is not None:
            if delivery.sender is None:
                raise self.profile.missing("delivery.sender", "checking who sent a message")
            expected = put_path(expected, delivery.sender, sender)
        return expected, delivery

    def receive_from(
        self, name: str, text: str, sender: str, channel: str, within: float | None
    ) -> Message:
        """A delivery of ``text`` from ``sender`` on ``channel`` arrives at ``name``."""
        expected, _ = self.expected_delivery(name, channel, text, sender)
        return self._receiver.receive(name, expected, self._timing.message(within))

    # -- application ping --------------------------------------------------------------

    def ping(self, name: str) -> None:
        """Send the profile's application-level ping."""
        exchange = self._exchange(self.profile.ping, "ping", "an application ping")
        self._send(name, exchange.send.render(self.variables(name)))

    def pong(self, name: str, within: float | None) -> None:
        """The profile's application-level pong arrives."""
        exchange = self._exchange(self.profile.ping, "ping", "an application pong")
        if exchange.ack is None:
            raise self.profile.missing("ping.ack", "an application pong")
        self._receiver.receive(
            name, exchange.ack.render(self.variables(name)), self._timing.message(within)
        )

    def last_positions(self, name: str, client: ClientView) -> dict[str, Any]:
        """The last position seen per subscribed channel (for resume).

        The position of the last delivery on the channel; before any delivery,
        the position the subscription's acknowledgement carries at the same
        path, if any (the reference server's ``subscribed`` has ``seq``).
        """
        profile = self.profile
        if profile.stream is not None:
            return {}  # the reconnected stream resumes by Last-Event-ID
        if profile.resume is None:
            raise profile.missing("resume", "reconnects and resumes")
        acks = [e.ack for e in (profile.subscribe, profile.resume) if e and e.ack]
        positions: dict[str, Any] = {}
        for channel in self._subscriptions.get(name, []):
            delivery = profile.delivery_for(channel)
            if delivery.position is None:
                raise profile.missing("delivery.position", "resuming where a client left off")
            variables = self.variables(name, channel)
            wanted = [delivery.match.render(variables, channel=channel)]
            wanted += [ack.render(variables, channel=channel) for ack in acks]
            for message in reversed(client.received):  # the last one with a position
                if not message.is_json or not any(matches(w, message.payload) for w in wanted):
                    continue
                try:
                    positions[channel] = select(message.payload, delivery.position)
                except (PathNotFound, TypeError):
                    continue
                break
        return positions

    def resubscribe(self, name: str, positions: Mapping[str, Any] | None) -> None:
        """After a reconnect: subscribe again, resuming from ``positions`` when given.

        An SSE subscription needs nothing: the reconnect reopened its stream.
        """
        if self.profile.stream is not None:
            return
        for channel in self._subscriptions.get(name, []):
            self.variables.new_operation(name, channel)
            if positions is not None and channel in positions:
                exchange = self._exchange(self.profile.resume, "resume", "reconnects and resumes")
                variables = self.variables(name, channel, position=positions[channel])
                self._send(name, exchange.send.render(variables, channel=channel))
                self._await_answer(
                    name, channel, exchange, f"resumed subscription to {channel}", want="ack"
                )
            else:
                self.subscribe(name, channel, confirm=True)
