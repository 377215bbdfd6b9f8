"""Channel operations through the API profile: subscribe, publish, deliveries, resume.

Every publication carries a correlation *mark* (``${mark}`` in the profile's
publish template, echoed back at ``delivery.mark``), so that its arrival at
every other client can be found and timed: delivery latency is arrival minus
send, both stamped inside the client loop.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wsbdd.core.exceptions import ExpectationFailed, ProfileError, UnknownVariable, UsageError
from wsbdd.core.matching import (
    PathNotFound,
    Variables,
    describe_expected,
    matches,
    render_json,
    select,
)
from wsbdd.core.profiles import DeliverySpec, Exchange, Profile, put_path
from wsbdd.core.records import Message
from wsbdd.core.timing import format_duration
from wsbdd.runtime import Client, ClientView
from wsbdd.session.receiving import Deadline, Unseen

if TYPE_CHECKING:
    from wsbdd.session.scenario import ScenarioSession

__all__ = ["ChannelOps", "Publication"]


@dataclass(frozen=True, slots=True)
class Publication:
    """One message a client published, with its correlation mark and send time."""

    client: str
    channel: str
    index: int
    mark: str
    text: str
    sent_at: float


class ChannelOps:
    """The high-level steps, spelled for the API under test by its profile."""

    def __init__(self, session: ScenarioSession) -> None:
        self._session = session
        self._operation_ids: dict[tuple[str, str], str] = {}
        self._subscriptions: dict[str, list[str]] = {}
        self._counter = itertools.count(1)
        self.publications: list[Publication] = []
        self._run_id = uuid.uuid4().hex[:8]

    # -- profile and templates ----------------------------------------------

    @property
    def profile(self) -> Profile:
        profile = self._session.profile
        if profile is None:
            raise UsageError(
                "this step needs an API profile: add 'Given the API profile \"chat\"' or set "
                "WSBDD_PROFILE in the environment file"
            )
        return profile

    def _exchange(self, value: Exchange | None, key: str, what: str) -> Exchange:
        if value is None:
            raise self.profile.missing(key, what)
        return value

    def operation_id(self, name: str, channel: str) -> str:
        key = (name, channel)
        if key not in self._operation_ids:
            self._operation_ids[key] = f"{channel}#{next(self._counter)}"
        return self._operation_ids[key]

    def variables(self, name: str | None, channel: str | None = None, **extra: Any) -> Variables:
        """Scenario variables overlaid with the channel's and the step's own.

        ``name`` is the client the values are for (its identity is ``${user}``,
        its subscription has an ``${operation_id}``); ``None`` for a crowd, whose
        caller passes those in ``extra``.
        """
        values, declared = self._context(name, channel)
        return self._complete(values, declared, channel, extra)

    def _context(
        self, name: str | None, channel: str | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The values that do not depend on a step's extras, and the channel's templates."""
        session = self._session
        values: dict[str, Any] = dict(session.variables.scenario)
        if name is not None:
            identity = session.connections.identity_of(name)
            if identity is not None:
                values.setdefault("user", identity)
        declared: dict[str, Any] = {}
        if channel is not None:
            values["channel"] = channel
            if name is not None:
                values["operation_id"] = self.operation_id(name, channel)
            values.update(self.profile.wildcards(channel))
            declared = self.profile.channel_variables(channel)
        return values, declared

    def _complete(
        self,
        context: Mapping[str, Any],
        declared: Mapping[str, Any],
        channel: str | None,
        extra: Mapping[str, Any],
    ) -> Variables:
        """:meth:`_context`'s values with the channel's variables rendered, then ``extra``."""
        environ = self._session.variables.environ
        values = dict(context)
        if channel is not None and declared:
            base = Variables({**values, **extra}, environ)
            for key, value in declared.items():
                # A channel's variables are templates too ("room = \"${wildcard}\"").
                values[key] = self._render_variable(channel, key, value, base)
        values.update(extra)
        return Variables(values, environ)

    def _render_variable(self, channel: str, key: str, value: Any, base: Variables) -> Any:
        try:
            return render_json(json.dumps(value, ensure_ascii=False), base)
        except UnknownVariable as exc:
            profile = self.profile
            spec = profile.channel(channel)
            where = (
                f'channels."{spec.pattern}".variables.{key}'
                if spec is not None and key in spec.variables
                else f"variables.{key}"
            )
            raise ProfileError(
                f"uses ${{{exc.name}}}, which is not set for channel {channel} (known here: "
                f"channel, wildcard, operation_id, user and scenario variables)",
                file=profile.source,
                key=where,
            ) from None

    def _send(self, name: str, template_value: Any) -> float:
        return self._session.clients.send_value(name, template_value)

    # -- subscriptions ----------------------------------------------------------

    def subscribe(self, name: str, channel: str, *, confirm: bool) -> None:
        """Send the profile's subscribe message; with ``confirm``, wait for its ack."""
        exchange = self._exchange(self.profile.subscribe, "subscribe", "subscribing")
        self._send(name, exchange.send.render(self.variables(name, channel), channel=channel))
        subscribed = self._subscriptions.setdefault(name, [])
        if channel not in subscribed:
            subscribed.append(channel)
        if confirm:
            self.confirmed(name, channel)

    def confirmed(self, name: str, channel: str) -> None:
        """The subscription's ack arrives (or, with no ack in the profile, no rejection)."""
        exchange = self._exchange(self.profile.subscribe, "subscribe", "subscribing")
        self._await_answer(name, channel, exchange, f"subscription to {channel}", want="ack")

    def rejected(self, name: str, channel: str) -> None:
        """The server refuses the subscription (the profile's reject message, or a close)."""
        exchange = self._exchange(self.profile.subscribe, "subscribe", "subscribing")
        if exchange.reject is None:
            raise self.profile.missing("subscribe.reject", "checking a rejected subscription")
        self._await_answer(name, channel, exchange, f"subscription to {channel}", want="reject")

    def unsubscribe(self, name: str, channel: str) -> None:
        exchange = self._exchange(self.profile.unsubscribe, "unsubscribe", "unsubscribing")
        self._send(name, exchange.send.render(self.variables(name, channel), channel=channel))
        if channel in self._subscriptions.get(name, []):
            self._subscriptions[name].remove(channel)
        if exchange.ack is not None:
            self._await_answer(
                name, channel, exchange, f"unsubscription from {channel}", want="ack"
            )

    def subscriptions(self, name: str) -> list[str]:
        return list(self._subscriptions.get(name, []))

    def _await_answer(
        self, name: str, channel: str, exchange: Exchange, what: str, *, want: str
    ) -> None:
        session = self._session
        variables = self.variables(name, channel)
        ack = exchange.ack.render(variables, channel=channel) if exchange.ack else None
        rejects = [t.render(variables, channel=channel) for t in exchange.rejections]
        reject = rejects[0] if rejects else None
        deadline = session.deadline(None)
        if ack is None and want == "ack":
            # No acknowledgement in this protocol: confirmed when nothing refuses it.
            deadline = Deadline.default(session.scaled(self.profile.confirm_window))

        outcome = self._answer(name, ack, rejects, deadline)
        client = session.client(name)
        if outcome is None:
            if want == "ack" and ack is None:
                return
            expected = ack if want == "ack" else reject
            raise session.receiver.failure(
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
            session.run.redactor.text(
                f"client {name}'s {what} was {verdict}, expected it to be "
                f"{'confirmed' if want == 'ack' else 'rejected'}: {shown}"
            )
        )

    def _answer(
        self, name: str, ack: Any, rejects: Sequence[Any], deadline: Deadline
    ) -> tuple[str, Message | None] | None:
        """Wait for the answer to a request: ``("ack" | "reject", message)``, ``("closed", None)``.

        The first unconsumed JSON message matching ``ack`` (None: no ack;
        checked first) or any of ``rejects`` is consumed; a close ends the
        wait too. None when the deadline passed first.
        """
        unseen = Unseen()
        answers = [("ack", ack)] if ack is not None else []
        answers += [("reject", reject) for reject in rejects]

        def probe(client: Client) -> tuple[str, Message | None] | None:
            for message in unseen(client):
                if not message.is_json or message.index < client.first_index:
                    continue  # an answer comes on the connection the request went on
                for kind, expected in answers:
                    if matches(expected, message.payload):
                        client.consume(message)
                        return (kind, message)
            if client.close_info is not None:
                return ("closed", None)
            return None

        return self._session.clients.wait(name, probe, deadline.remaining(), until=deadline.until)

    # -- publishing ---------------------------------------------------------------

    def _mark(self, name: str, index: int) -> str:
        return f"wsbdd-{self._run_id}-{name}-{index}"

    def publish(self, name: str, channel: str, text: str) -> Publication:
        exchange = self.profile.publish_for(channel)
        index = sum(1 for p in self.publications if p.client == name) + 1
        mark = self._mark(name, index)
        frame = exchange.send.render(
            self.variables(name, channel, text=text, mark=mark), channel=channel
        )
        sent_at = self._send(name, frame)
        publication = Publication(name, channel, index, mark, text, sent_at)
        self.publications.append(publication)
        return publication

    def publish_many(self, name: str, channel: str, count: int, rate: float | None) -> None:
        """Publish ``count`` numbered messages, paced at ``rate`` per second if given."""
        if count < 1:
            raise UsageError("the number of messages must be at least 1")
        exchange = self.profile.publish_for(channel)
        first = sum(1 for p in self.publications if p.client == name) + 1
        context, declared = self._context(name, channel)  # the same for every message
        pending: list[tuple[int, str, str]] = []
        frames: list[Any] = []
        for offset in range(count):
            index = first + offset
            mark = self._mark(name, index)
            text = f"message {offset + 1} of {count} from {name}"
            variables = self._complete(context, declared, channel, {"text": text, "mark": mark})
            value = exchange.send.render(variables, channel=channel)
            frames.append(value)
            pending.append((index, mark, text))
        sent = self._session.clients.send_many_values(name, frames, rate)
        for (index, mark, text), sent_at in zip(pending, sent, strict=True):
            self.publications.append(Publication(name, channel, index, mark, text, sent_at))

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
        expected, _ = self.expected_delivery(name, channel, text, sender)
        session = self._session
        return session.receiver.receive(name, expected, session.deadline(within))

    def _publications_of(self, sender: str) -> list[Publication]:
        found = [p for p in self.publications if p.client == sender]
        if not found:
            raise UsageError(
                f'client {sender} has published nothing in this scenario: add "When client '
                f'{sender} publishes ..." first'
            )
        return found

    def _await_arrivals(
        self,
        name: str,
        publications: Sequence[Publication],
        timeout: float,
        *,
        consume: bool = False,
        until: float | None = None,
    ) -> dict[str, Message]:
        """Wait up to ``timeout`` for every publication to arrive at ``name``: what came, by mark.

        With ``consume``, once all have arrived they are consumed (on the loop,
        by the probe itself). ``until``: the deadline as a ``now()`` time.
        """
        session = self._session
        arrivals = _Arrivals(self, name, publications)

        def probe(client: Client) -> dict[str, Message] | None:
            found = arrivals.update(client)
            if not arrivals.complete:
                return None
            if consume:
                for message in sorted(found.values(), key=_index):
                    client.consume(message)  # a no-op for one an earlier step consumed
            return found

        if session.clients.wait(name, probe, timeout, until=until) is None:
            session.clients.wait(name, probe, 0.0)  # the very last arrivals, on the loop too
        return arrivals.found

    def receive_all(
        self, name: str, sender: str, count: int, within: float | None
    ) -> dict[str, Message]:
        published = self._publications_of(sender)
        if count > len(published):
            raise UsageError(
                f"client {sender} published only {len(published)} messages in this scenario, "
                f"fewer than {count}"
            )
        publications = published[-count:]
        session = self._session
        deadline = session.deadline(within)

        found = self._await_arrivals(
            name, publications, deadline.remaining(), consume=True, until=deadline.until
        )
        if len(found) < len(publications):
            client = session.client(name)
            missing = [p for p in publications if p.mark not in found]
            listed = ", ".join(f"#{p.index}" for p in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            state = (
                f"; client {name} was {client.close_info.describe()}" if client.close_info else ""
            )
            raise ExpectationFailed(
                f"client {name} received {len(found)} of the {count} messages published by "
                f"client {sender} {deadline.describe()}; missing: {listed}{more}{state}"
            )
        if deadline.limit is not None:
            late = [
                (p, found[p.mark])
                for p in publications
                if found[p.mark].received_at - deadline.origin > deadline.limit
            ]
            if late:
                p, m = late[-1]
                raise ExpectationFailed(
                    f"client {name}: {len(late)} of {count} messages from client {sender} "
                    f"arrived too late; #{p.index} arrived "
                    f"{format_duration(m.received_at - deadline.origin)} after the last trigger "
                    f"(limit {format_duration(deadline.limit)})"
                )
        return found

    def in_published_order(self, name: str, sender: str) -> None:
        """Every publication of ``sender`` arrived at ``name``, in publication order.

        Waits up to the default timeout for publications still on their way.
        """
        publications = self._publications_of(sender)
        session = self._session
        arrivals = self._await_arrivals(name, publications, session.deadline(None).remaining())
        by_mark = {p.mark: p for p in publications}
        received = sorted(arrivals.items(), key=lambda item: item[1].index)
        previous: Publication | None = None
        order = ", ".join(str(by_mark[m].index) for m, _ in received[:30])
        for mark, _message in received:
            publication = by_mark[mark]
            if previous is not None and publication.index < previous.index:
                raise ExpectationFailed(
                    f"client {name} received the messages of client {sender} out of order: "
                    f'#{publication.index} ("{publication.text}") arrived after '
                    f'#{previous.index} ("{previous.text}")\n'
                    f"  order received: {order}"
                )
            previous = publication
        if len(arrivals) < len(publications):
            missing = [f"#{p.index}" for p in publications if p.mark not in arrivals]
            raise ExpectationFailed(
                f"client {name} received only {len(arrivals)} of the {len(publications)} "
                f"messages published by client {sender} "
                f"{session.deadline(None).describe()}, so their order cannot be checked; "
                f"missing: {', '.join(missing[:10])}"
                + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            )

    def latency(self, name: str, sender: str, wait: float) -> tuple[list[float], int]:
        """Delivery latencies from ``sender`` to ``name``, waiting up to ``wait`` for stragglers."""
        publications = self._publications_of(sender)
        arrivals = self._await_arrivals(name, publications, wait)
        samples = [
            arrivals[p.mark].received_at - p.sent_at for p in publications if p.mark in arrivals
        ]
        return samples, len(publications) - len(samples)

    # -- application ping --------------------------------------------------------------

    def ping(self, name: str) -> None:
        exchange = self._exchange(self.profile.ping, "ping", "an application ping")
        self._send(name, exchange.send.render(self.variables(name)))

    def pong(self, name: str, within: float | None) -> None:
        exchange = self._exchange(self.profile.ping, "ping", "an application pong")
        if exchange.ack is None:
            raise self.profile.missing("ping.ack", "an application pong")
        session = self._session
        session.receiver.receive(
            name, exchange.ack.render(self.variables(name)), session.deadline(within)
        )

    # -- auth and resume ---------------------------------------------------------------

    def authenticate_by_message(
        self, name: str, identity: str | None, token: str | None, *, required: bool = True
    ) -> None:
        """Send the profile's auth message and wait for its ack.

        With ``required`` off (a plain "client A connects ..."), a refusal or a
        missing ack is left for later steps to check ("is closed with code 4403").
        """
        auth = self.profile.auth
        assert auth.message is not None
        extra: dict[str, Any] = {"token": token}
        if identity is not None:
            extra["user"] = identity
        variables = self.variables(name, **extra)
        self._send(name, auth.message.render(variables))
        if auth.ack is None:
            return
        session = self._session
        ack = auth.ack.render(variables)
        rejects = [template.render(variables) for template in auth.rejections]
        deadline = session.deadline(None)

        outcome = self._answer(name, ack, rejects, deadline)
        if (outcome is not None and outcome[0] == "ack") or not required:
            return
        if outcome is None:
            raise session.receiver.failure(
                name, f"be authenticated ({describe_expected(ack)})", deadline, ack
            )
        _kind, message = outcome
        if message is not None:
            detail = f"refused: {message.display()}"
        else:
            info = session.client(name).close_info
            detail = f"closed: {info.describe() if info is not None else 'closed'}"
        raise ExpectationFailed(
            session.run.redactor.text(
                f"client {name} could not authenticate as {identity}: {detail}"
            )
        )

    def last_positions(self, name: str, client: ClientView) -> dict[str, Any]:
        """The last position seen per subscribed channel (for resume).

        The position of the last delivery on the channel; before any delivery,
        the position the subscription's acknowledgement carries at the same
        path, if any (the reference server's ``subscribed`` has ``seq``).
        """
        profile = self.profile
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
        """After a reconnect: subscribe again, resuming from ``positions`` when given."""
        for channel in self._subscriptions.get(name, []):
            self._operation_ids.pop((name, channel), None)
            if positions is not None and channel in positions:
                exchange = self._exchange(self.profile.resume, "resume", "reconnects and resumes")
                variables = self.variables(name, channel, position=positions[channel])
                self._send(name, exchange.send.render(variables, channel=channel))
                self._await_answer(
                    name, channel, exchange, f"resumed subscription to {channel}", want="ack"
                )
            else:
                self.subscribe(name, channel, confirm=True)


class _Arrivals:
    """The first arrival of each of some publications at one client, found incrementally.

    The delivery matchers are rendered once; each :meth:`update` looks only
    at the messages received since the last one (``received`` only grows, and
    spans the client's reconnects: arrivals on every connection count).
    Per message, the correlation mark comes first, and only a message that
    delivers a wanted publication is matched against its channel's delivery.
    """

    def __init__(self, ops: ChannelOps, name: str, publications: Sequence[Publication]) -> None:
        profile = ops.profile
        self._wanted = {p.mark: p for p in publications}
        self._channels = list(dict.fromkeys(p.channel for p in publications))
        self._specs = {c: profile.delivery_for(c) for c in self._channels}
        self._matchers = {
            c: self._specs[c].match.render(ops.variables(name, c), channel=c)
            for c in self._channels
        }
        # Without a mark path, a delivery is recognised by its text: the first
        # publication (in publication order) with that text on that channel.
        self._by_text: dict[tuple[str, str], str] = {}
        for p in publications:
            self._by_text.setdefault((p.channel, p.text), p.mark)
        self._client: Client | None = None
        self._seen = 0
        self.found: dict[str, Message] = {}

    @property
    def complete(self) -> bool:
        """Every publication has arrived."""
        return len(self.found) == len(self._wanted)

    def update(self, client: Client) -> dict[str, Message]:
        """Look at what ``client`` received since the last call; every arrival so far, by mark."""
        if self._client is None or client.received is not self._client.received:
            # A new client (a reconnect keeps ``received``: the search goes on).
            self._client, self._seen, self.found = client, 0, {}
        received = client.received
        fresh = received[self._seen :]
        self._seen += len(fresh)
        found = self.found
        for message in fresh:
            if len(found) == len(self._wanted):
                break
            if not message.is_json:
                continue
            payload = message.payload
            for channel in self._channels:
                mark = self._mark_of(payload, channel)
                if mark is None or mark in found:
                    continue
                if matches(self._matchers[channel], payload):
                    found[mark] = message
                    break
        return found

    def _mark_of(self, payload: Any, channel: str) -> str | None:
        """The mark of the wanted publication on ``channel`` that ``payload`` delivers, if any."""
        delivery = self._specs[channel]
        if delivery.mark is not None:
            try:
                mark = select(payload, delivery.mark)
            except (PathNotFound, TypeError):
                return None
            wanted = self._wanted
            if isinstance(mark, str) and mark in wanted and wanted[mark].channel == channel:
                return mark
            return None
        if delivery.text is None:
            return None
        try:
            text = select(payload, delivery.text)
        except (PathNotFound, TypeError):
            return None
        if not isinstance(text, str):
            return None  # a publication's text is always a string
        return self._by_text.get((channel, text))


def _index(message: Message) -> int:
    return message.index
