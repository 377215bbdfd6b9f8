"""Crowd content and latency steps: what every member of a crowd received, and how fast.

* ``Then each of the 500 clients receives {"type": "message"} within 2 s``: a
  partial match per member (not a count), among the messages it kept since
  the last trigger;
* ``Then each of the 500 clients receives "hi" from alice in room:lobby
  within 2 s``: the same, with the profile's delivery of that text from that
  sender on that channel;
* ``Then the p99 delivery latency from client A to the 500 clients is below
  300 ms``: every publication of client A, found at every member by its
  correlation mark, arrival (stamped on the loop when its bytes were read)
  minus send; the distribution goes to the report like a named client's.

Failures say how many members missed and show one of them in full. The
watches themselves are pure (:mod:`wsbdd.session.crowd_checks`); this module
runs them on the loop and words the verdicts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.matching import describe_expected
from wsbdd.core.profiles import put_path
from wsbdd.core.timing import LatencyStats, format_duration, percentile
from wsbdd.runtime import ClientManager
from wsbdd.runtime.facade import GRACE
from wsbdd.session.crowd_checks import ContentWatch, LatencyWatch, describe_member, mark_key
from wsbdd.session.crowd_session import CrowdSession

if TYPE_CHECKING:
    from wsbdd.runtime.crowd import Crowd

__all__ = ["CrowdExpectations"]


class CrowdExpectations:
    """Content and latency checks over a scenario's crowds (see the module docstring)."""

    def __init__(self, session: CrowdSession) -> None:
        self._session = session

    def each_receives(self, crowd: Crowd, expected: Any, within: float | None) -> None:
        """Every member kept a message matching ``expected`` (partially) by the deadline."""
        session = self._session
        deadline = session.deadline(within)
        since = deadline.origin if deadline.reference == "the last trigger" else None
        watch = ContentWatch(crowd.members, expected, since)

        async def wait(manager: ClientManager) -> tuple[list[int], str]:
            await crowd.wait_until(watch.complete, deadline.remaining(), watch.count)
            missing = watch.missing()
            shown = describe_member(crowd.members[missing[0]]) if missing else ""
            return missing, shown

        missing, shown = session.clients.run(wait, deadline.remaining() + GRACE)
        if missing:
            raise ExpectationFailed(
                session.run.redactor.text(
                    f"{len(missing)} of {crowd.size} clients did not receive "
                    f"{describe_expected(expected)} {deadline.describe()}; e.g. {shown}"
                )
            )

    def each_receives_from(
        self, crowd: Crowd, text: str, sender: str, channel: str, within: float | None
    ) -> None:
        """Every member got the profile's delivery of ``text`` from ``sender`` on ``channel``."""
        self.each_receives(crowd, self.expected_delivery(text, sender, channel), within)

    def expected_delivery(self, text: str, sender: str, channel: str) -> Any:
        """What a crowd member receives when ``sender`` publishes ``text`` to ``channel``."""
        channels = self._session.channels
        profile = channels.profile
        delivery = profile.delivery_for(channel)
        variables = channels.variables(None, channel, operation_id=f"{channel}#crowd")
        expected = delivery.match.render(variables, channel=channel)
        if delivery.text is None:
            raise profile.missing("delivery.text", "checking a delivered text")
        if delivery.sender is None:
            raise profile.missing("delivery.sender", "checking who sent a message")
        return put_path(put_path(expected, delivery.text, text), delivery.sender, sender)

    def sent_marks(self, sender: str) -> tuple[dict[str, float], str]:
        """``sender``'s publications (mark → send stamp) and the profile's mark path."""
        channels = self._session.channels
        publications = [p for p in channels.publications if p.client == sender]
        if not publications:
            raise UsageError(
                f'client {sender} has published nothing in this scenario: add "When client '
                f'{sender} publishes ..." first'
            )
        delivery = channels.profile.delivery_for(publications[0].channel)
        if delivery.mark is None:
            raise channels.profile.missing("delivery.mark", "timing deliveries to a crowd")
        return {p.mark: p.sent_at for p in publications}, delivery.mark

    def assert_latency(self, sender: str, crowd: Crowd, rank: float, limit: float) -> None:
        """The ``rank`` percentile of delivery latency from ``sender`` to every member < ``limit``.

        Waits up to the default timeout for stragglers; a publication that
        never reached a member is lost (and fails the step).
        """
        session = self._session
        channels = session.channels
        publications = [p for p in channels.publications if p.client == sender]
        if not publications:
            raise UsageError(
                f'client {sender} has published nothing in this scenario: add "When client '
                f'{sender} publishes ..." first'
            )
        sent = {p.mark: p.sent_at for p in publications}
        specs = {p.channel: channels.profile.delivery_for(p.channel) for p in publications}
        spec = next(iter(specs.values()))
        by_text: dict[str, str] = {}
        for p in publications:
            by_text.setdefault(p.text, p.mark)
        watch = LatencyWatch(crowd.members, sent, mark_key(spec.mark, spec.text, by_text))
        wait_for = session.scaled(session.default_timeout)

        async def wait(manager: ClientManager) -> tuple[list[float], int, int, str]:
            await crowd.wait_until(watch.complete, wait_for, watch.count)
            samples, lost, short = watch.samples()
            shown = ""
            if short:
                first = next(i for i, found in enumerate(watch.arrivals) if len(found) < len(sent))
                shown = describe_member(crowd.members[first])
            return samples, lost, short, shown

        samples, lost, short, shown = session.clients.run(wait, wait_for + GRACE)
        receiver = f"the {crowd.size} clients"
        stats = LatencyStats.from_samples(samples, lost=lost)
        session.latency_reports.append((sender, receiver, stats, samples, rank, limit))
        value = percentile(samples, rank) if samples else None
        reasons = []
        if value is None:
            reasons.append("no publication arrived")
        elif value >= limit:
            reasons.append(f"p{rank:g} is {format_duration(value)}")
        if lost:
            reasons.append(
                f"{short} of {crowd.size} clients missed {lost} deliveries in all "
                f"(waited {format_duration(wait_for)}); e.g. {shown}"
            )
        if reasons:
            raise ExpectationFailed(
                session.run.redactor.text(
                    f"delivery latency from client {sender} to {receiver}: "
                    f"{'; '.join(reasons)}; expected p{rank:g} below {format_duration(limit)}"
                    f"\n  {stats.render()}"
                )
            )
