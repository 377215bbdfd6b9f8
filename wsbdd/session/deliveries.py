"""Deliveries of what clients published: all of them, in publication order, how fast.

Delivery latency is arrival minus send, both stamped inside the client loop.
"""

from __future__ import annotations

from collections.abc import Sequence

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.records import Message
from wsbdd.core.timing import LatencyStats, format_duration, percentile
from wsbdd.runtime import Clients
from wsbdd.session.arrivals import Arrivals, await_arrivals
from wsbdd.session.profile_choice import ProfileChoice
from wsbdd.session.publications import Publication, Publications
from wsbdd.session.template_vars import TemplateVariables
from wsbdd.session.timing import ScenarioTiming

__all__ = ["Deliveries"]


class Deliveries:
    """Checks that a client received what another one published (matched by mark)."""

    def __init__(
        self,
        clients: Clients,
        publications: Publications,
        template_vars: TemplateVariables,
        profiles: ProfileChoice,
        timing: ScenarioTiming,
    ) -> None:
        self._clients = clients
        self._publications = publications
        self._vars = template_vars
        self._profiles = profiles
        self._timing = timing
        # (sender, receiver, stats, samples in seconds, percentile, limit in seconds) of each
        # latency step, for the report.
        self.latency_reports: list[tuple[str, str, LatencyStats, list[float], float, float]] = []

    def _await(
        self,
        name: str,
        publications: Sequence[Publication],
        timeout: float,
        *,
        consume: bool = False,
        until: float | None = None,
    ) -> dict[str, Message]:
        arrivals = Arrivals(self._profiles.required, self._vars, name, publications)
        return await_arrivals(self._clients, arrivals, name, timeout, consume=consume, until=until)

    def receive_all(
        self, name: str, sender: str, count: int, within: float | None
    ) -> dict[str, Message]:
        """``sender``'s last ``count`` publications all arrive at ``name`` (each consumed)."""
        published = self._publications.of(sender)
        if count > len(published):
            raise UsageError(
                f"client {sender} published only {len(published)} messages in this scenario, "
                f"fewer than {count}"
            )
        publications = published[-count:]
        deadline = self._timing.message(within)
        found = self._await(
            name, publications, deadline.remaining(), consume=True, until=deadline.until
        )
        if len(found) < len(publications):
            client = self._clients.view(name)
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
        publications = self._publications.of(sender)
        wait = self._timing.message(None)
        arrivals = self._await(name, publications, wait.remaining())
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
                f"{wait.describe()}, so their order cannot be checked; "
                f"missing: {', '.join(missing[:10])}"
                + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            )

    def latency(self, name: str, sender: str, wait: float) -> tuple[list[float], int]:
        """Delivery latencies from ``sender`` to ``name``, waiting up to ``wait`` for stragglers."""
        publications = self._publications.of(sender)
        arrivals = self._await(name, publications, wait)
        samples = [
            arrivals[p.mark].received_at - p.sent_at for p in publications if p.mark in arrivals
        ]
        return samples, len(publications) - len(samples)

    def assert_latency(self, sender: str, name: str, rank: float, limit: float) -> None:
        """The percentile of delivery latency from ``sender`` to ``name`` is below ``limit``."""
        samples, lost = self.latency(name, sender, self._timing.default_wait())
        stats = LatencyStats.from_samples(samples, lost=lost)
        if stats.count == 0:
            raise ExpectationFailed(
                f"no message published by client {sender} reached client {name}: {stats.render()}"
            )
        value = percentile(samples, rank) or 0.0
        self.latency_reports.append((sender, name, stats, samples, rank, limit))
        if stats.lost or value >= limit:
            reasons = []
            if value >= limit:
                reasons.append(f"p{rank:g} is {format_duration(value)}")
            if stats.lost:
                reasons.append(f"{stats.lost} messages never arrived")
            raise ExpectationFailed(
                f"delivery latency from client {sender} to client {name}: {', '.join(reasons)}; "
                f"expected p{rank:g} below {format_duration(limit)}\n  {stats.render()}"
            )
