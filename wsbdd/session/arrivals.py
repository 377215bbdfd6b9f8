"""Finding publications among what a client received, by their correlation mark."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsbdd.core.matching import PathNotFound, matches, select
from wsbdd.core.profiles import Profile
from wsbdd.core.records import Message
from wsbdd.runtime import Client, Clients
from wsbdd.session.publications import Publication
from wsbdd.session.template_vars import TemplateVariables

__all__ = ["Arrivals", "await_arrivals"]


class Arrivals:
    """The first arrival of each of some publications at one client, found incrementally.

    The delivery matchers are rendered once; each :meth:`update` looks only
    at the messages received since the last one (``received`` only grows, and
    spans the client's reconnects: arrivals on every connection count).
    Per message, the correlation mark comes first, and only a message that
    delivers a wanted publication is matched against its channel's delivery.
    """

    def __init__(
        self,
        profile: Profile,
        template_vars: TemplateVariables,
        name: str,
        publications: Sequence[Publication],
    ) -> None:
        self._wanted = {p.mark: p for p in publications}
        self._channels = list(dict.fromkeys(p.channel for p in publications))
        self._specs = {c: profile.delivery_for(c) for c in self._channels}
        self._matchers = {
            c: self._specs[c].match.render(template_vars(name, c), channel=c)
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


def await_arrivals(
    clients: Clients,
    arrivals: Arrivals,
    name: str,
    timeout: float,
    *,
    consume: bool = False,
    until: float | None = None,
) -> dict[str, Message]:
    """Wait up to ``timeout`` for what ``arrivals`` looks for at ``name``: what came, by mark.

    With ``consume``, once all have arrived they are consumed (on the loop,
    by the probe itself). ``until``: the deadline as a ``now()`` time.
    """

    def probe(client: Client) -> dict[str, Message] | None:
        found = arrivals.update(client)
        if not arrivals.complete:
            return None
        if consume:
            for message in sorted(found.values(), key=_index):
                client.consume(message)  # a no-op for one an earlier step consumed
        return found

    if clients.wait(name, probe, timeout, until=until) is None:
        clients.wait(name, probe, 0.0)  # the very last arrivals, on the loop too
    return arrivals.found


def _index(message: Message) -> int:
    return message.index
