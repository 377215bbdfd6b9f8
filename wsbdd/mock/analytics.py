"""Reconnect analytics: who came back when, storms, backoff and jitter (pure).

Fed the connection attempts a mock server saw, each with the client it came
from, this module answers the reconnect steps. Definitions (docs/testing-client-apps.md):

* an **attempt** is an opening handshake request; a refused one counts;
* the **delay** of an attempt is the time since that client's previous
  connection ended, or its previous attempt was refused;
* the **disruption** is the moment of the step that dropped or closed every
  connection (else the start of a refusal window); "after the drop" means
  attempts at or after it, by clients that had tried before it (or, when the
  app started after it, by every client);
* **spread** (the storm check): from the first to the last client's first
  attempt after the disruption;
* **backoff**: per client, the median ratio of consecutive delays;
* **jitter**: the standard deviation of the clients' first delays over their mean.

Delays shorter than :data:`RESOLUTION` count as :data:`RESOLUTION`: a client
that reconnects at once is measured as waiting that long, so scheduling noise
of a few milliseconds is never mistaken for backoff or jitter.

Nothing here does I/O; times are ``time.monotonic()`` seconds.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wsbdd.core.timing import format_duration

__all__ = [
    "RESOLUTION",
    "Attempt",
    "BackoffReport",
    "ClientHistory",
    "JitterReport",
    "ReconnectReport",
    "SpreadReport",
    "analyse_backoff",
    "analyse_jitter",
    "analyse_reconnects",
    "analyse_spread",
    "densest_window",
    "histories",
    "judged",
]

RESOLUTION = 0.05
"""Seconds: shorter delays count as this long (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One opening handshake request a mock server saw from ``client``.

    ``ended_at`` is when the connection ended, or when the refusal was sent;
    ``None`` while the connection is open.
    """

    client: str
    at: float
    accepted: bool
    ended_at: float | None = None


@dataclass(frozen=True, slots=True)
class ClientHistory:
    """One client's attempts in order, and their delays after the disruption."""

    client: str
    attempts: tuple[Attempt, ...]

    def before(self, since: float) -> bool:
        """True when the client tried to connect before ``since``."""
        return any(a.at < since for a in self.attempts)

    def after(self, since: float) -> list[tuple[Attempt, float | None]]:
        """Each attempt at or after ``since`` with its delay (None: nothing ended before it)."""
        found: list[tuple[Attempt, float | None]] = []
        previous_end: float | None = None
        for attempt in self.attempts:
            if attempt.at >= since:
                delay = None if previous_end is None else max(0.0, attempt.at - previous_end)
                found.append((attempt, delay))
            if attempt.ended_at is not None:
                previous_end = attempt.ended_at
        return found

    def delays(self, since: float) -> list[float]:
        """The delays of the attempts after ``since``, raised to :data:`RESOLUTION`."""
        return [max(d, RESOLUTION) for _, d in self.after(since) if d is not None]

    def first_attempt(self, since: float) -> Attempt | None:
        found = self.after(since)
        return found[0][0] if found else None

    def reconnected(self, since: float) -> Attempt | None:
        """The first accepted attempt at or after ``since``."""
        return next((a for a, _ in self.after(since) if a.accepted), None)


def histories(attempts: Iterable[Attempt]) -> dict[str, ClientHistory]:
    """Attempts grouped by client, each client's in time order."""
    grouped: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        grouped.setdefault(attempt.client, []).append(attempt)
    return {
        client: ClientHistory(client, tuple(sorted(items, key=lambda a: a.at)))
        for client, items in sorted(grouped.items())
    }


def judged(clients: dict[str, ClientHistory], since: float) -> list[ClientHistory]:
    """The clients a check judges: those that tried before ``since``.

    When none did (the app was started after the disruption, say while the
    mock refuses), every client that tried since.
    """
    before = [h for h in clients.values() if h.before(since)]
    return before or [h for h in clients.values() if h.after(since)]


def _ms(seconds: float) -> str:
    return format_duration(seconds)


def _offset(seconds: float) -> str:
    return f"+{_ms(seconds)}"


def _series(delays: Sequence[float], limit: int = 6) -> str:
    """``50 ms, 100 ms, 200 ms … (12 delays)``; delays at :data:`RESOLUTION` marked ``≤``."""
    shown = ", ".join(("≤" if d <= RESOLUTION else "") + _ms(d) for d in delays[:limit])
    if len(delays) > limit:
        shown += f" … ({len(delays)} delays)"
    return shown or "none"


def _names(items: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# --------------------------------------------------------------------- reconnects
@dataclass(frozen=True, slots=True)
class ReconnectReport:
    """Which clients known before the disruption came back, and when (seconds after it)."""

    since: float
    within: float
    back: dict[str, float]
    missing: dict[str, int]
    """Clients not back yet, with their number of (refused) attempts after the disruption."""

    @property
    def late(self) -> dict[str, float]:
        return {c: t for c, t in self.back.items() if t > self.within}

    @property
    def complete(self) -> bool:
        """Every known client has reconnected (in time or not)."""
        return not self.missing

    def failure(self) -> str | None:
        """What was seen, when some client did not reconnect in time; None when all did."""
        total = len(self.back) + len(self.missing)
        if total == 0:
            return "no client was connected to the mock server before the disruption"
        late, missing = self.late, self.missing
        if not late and not missing:
            return None
        ok = total - len(late) - len(missing)
        lines = [f"{ok} of {total} clients reconnected within {_ms(self.within)} of the disruption"]
        if missing:
            detail = _names([f"{c} ({n} refused attempts)" for c, n in missing.items()])
            lines.append(f"  not back: {detail}")
        if late:
            detail = _names([f"{c} at {_offset(t)}" for c, t in sorted(late.items())])
            lines.append(f"  back too late: {detail}")
        if ok:
            times = sorted(t for c, t in self.back.items() if c not in late)
            lines.append(f"  the others came back {_offset(times[0])} … {_offset(times[-1])}")
        return "\n".join(lines)


def analyse_reconnects(
    clients: dict[str, ClientHistory], since: float, within: float
) -> ReconnectReport:
    """Whether each client that had tried before ``since`` reconnected after it."""
    back: dict[str, float] = {}
    missing: dict[str, int] = {}
    for history in judged(clients, since):
        attempt = history.reconnected(since)
        if attempt is None:
            missing[history.client] = len(history.after(since))
        else:
            back[history.client] = attempt.at - since
    return ReconnectReport(since, within, back, missing)


# --------------------------------------------------------------------- spread
def densest_window(times: Sequence[float], width: float) -> tuple[int, float, float]:
    """The most ``times`` inside one window ``width`` wide: (count, first, last)."""
    ordered = sorted(times)
    best = (0, 0.0, 0.0)
    start = 0
    for end, value in enumerate(ordered):
        while value - ordered[start] > width:
            start += 1
        if end - start + 1 > best[0]:
            best = (end - start + 1, ordered[start], value)
    return best


@dataclass(frozen=True, slots=True)
class SpreadReport:
    """The clients' first attempts after the disruption (seconds after it)."""

    first: dict[str, float]
    waiting: tuple[str, ...]
    """Clients known before the disruption with no attempt after it yet."""
    minimum: float

    @property
    def spread(self) -> float:
        values = self.first.values()
        return max(values) - min(values) if values else 0.0

    def failure(self) -> str | None:
        if not self.first:
            return "no client tried to reconnect to the mock server after the disruption"
        if self.spread >= self.minimum and not self.waiting:
            return None
        times = list(self.first.values())
        window = self.minimum / 10
        count, low, high = densest_window(times, window)
        total = len(self.first) + len(self.waiting)
        lines = []
        if self.spread < self.minimum:
            lines.append(
                f"the reconnections are spread over {_ms(self.spread)}, expected at least "
                f"{_ms(self.minimum)}: {count} of {total} clients reconnected within the same "
                f"{_ms(window)} ({_offset(low)} … {_offset(high)} after the disruption)"
            )
        if self.waiting:
            lines.append(f"  no attempt after the disruption yet: {_names(list(self.waiting))}")
        return "\n".join(lines)


def analyse_spread(clients: dict[str, ClientHistory], since: float, minimum: float) -> SpreadReport:
    """The storm check: first attempts after ``since`` must span at least ``minimum``."""
    first: dict[str, float] = {}
    waiting: list[str] = []
    for history in judged(clients, since):
        attempt = history.first_attempt(since)
        if attempt is None:
            waiting.append(history.client)
        else:
            first[history.client] = attempt.at - since
    return SpreadReport(first, tuple(waiting), minimum)


# --------------------------------------------------------------------- backoff
@dataclass(frozen=True, slots=True)
class BackoffReport:
    """Per client: its delays after the disruption and their median growth ratio."""

    delays: dict[str, list[float]]
    factor: float

    def ratio(self, client: str) -> float | None:
        """The median ratio of consecutive delays (None with fewer than two delays).

        With three delays or more the first one is left out: the first delay
        after a disruption is the random start RFC 6455 §7.2.3 asks for (and
        websockets' own ``backoff()`` draws a second random one), not a step
        of the backoff. Counting it let two near-equal random delays and a
        few milliseconds of scheduling pull a doubling client's median under
        1.5 (500 ms, 500 ms, 507 ms, 1.00 s, 2.00 s gave 1.49).
        """
        values = self.delays[client]
        if len(values) < 2:
            return None
        judged = values[1:] if len(values) >= 3 else values
        return statistics.median(b / a for a, b in itertools.pairwise(judged))

    def failure(self) -> str | None:
        if not self.delays:
            return "no client tried to reconnect to the mock server after the disruption"
        bad = [c for c in self.delays if (r := self.ratio(c)) is None or r < self.factor]
        if not bad:
            return None
        lines = [
            f"the reconnect delays of {len(bad)} of {len(self.delays)} clients do not grow "
            f"{self.factor:g} times per attempt:"
        ]
        for client in bad[:8]:
            values = _series(self.delays[client])
            ratio = self.ratio(client)
            why = (
                f"median ratio {ratio:.2f}"
                if ratio is not None
                else "fewer than 2 delays to compare (a refusal window makes clients retry)"
            )
            lines.append(f"  {client}: delays {values} ({why})")
        if len(bad) > 8:
            lines.append(f"  … and {len(bad) - 8} more")
        return "\n".join(lines)


def analyse_backoff(
    clients: dict[str, ClientHistory], since: float, factor: float
) -> BackoffReport:
    """The backoff check: each client's median delay ratio must reach ``factor``."""
    return BackoffReport({h.client: h.delays(since) for h in judged(clients, since)}, factor)


# --------------------------------------------------------------------- jitter
@dataclass(frozen=True, slots=True)
class JitterReport:
    """The clients' first delays after the disruption and how much they vary."""

    first_delays: dict[str, float]
    minimum: float
    """The least coefficient of variation asked for (0.2 for 20%)."""

    @property
    def variation(self) -> float:
        values = list(self.first_delays.values())
        if len(values) < 2:
            return 0.0
        mean = statistics.fmean(values)
        return statistics.pstdev(values) / mean if mean > 0 else 0.0

    def failure(self) -> str | None:
        values = sorted(self.first_delays.values())
        if len(values) < 2:
            return (
                f"jitter needs the first reconnect delays of at least 2 clients, "
                f"the mock server saw {len(values)}"
            )
        if self.variation >= self.minimum:
            return None
        mean = statistics.fmean(values)
        return (
            f"the reconnect delays vary by {self.variation:.0%} between clients, expected at "
            f"least {self.minimum:.0%}: {len(values)} clients' first delays "
            f"{_series(values[:1])} … {_series(values[-1:])} (standard deviation "
            f"{_ms(statistics.pstdev(values))} over a mean of {_ms(mean)})"
        )


def analyse_jitter(clients: dict[str, ClientHistory], since: float, minimum: float) -> JitterReport:
    """The jitter check: stdev / mean of the clients' first delays must reach ``minimum``."""
    first: dict[str, float] = {}
    for history in judged(clients, since):
        delays = history.delays(since)
        if delays:
            first[history.client] = delays[0]
    return JitterReport(first, minimum)
