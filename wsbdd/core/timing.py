"""Durations as testers write them, latency percentiles, and the timeout scale.

* :func:`parse_duration` reads ``500 ms``, ``2 s``, ``1.5 s``, ``2 seconds``,
  ``500 milliseconds``, ``1 minute`` and returns seconds.
* :func:`format_duration` writes seconds back: ``512 ms``, ``3.1 ms``, ``2.30 s``.
* :func:`percentile` and :class:`LatencyStats` summarise latency samples
  (in seconds) with the nearest-rank method.
* :func:`timeout_scale` reads ``WSBDD_TIMEOUT_SCALE`` so every timeout of a
  run can be stretched on a slow machine without editing the features.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from wsbdd.core.exceptions import ConfigError, UsageError

__all__ = [
    "DURATION_FORMS",
    "DURATION_PATTERN",
    "SCALE_KEY",
    "LatencyStats",
    "format_duration",
    "parse_duration",
    "percentile",
    "scaled",
    "timeout_scale",
]

DURATION_FORMS: Final = (
    "500 ms, 500 milliseconds, 2 s, 1.5 s, 2 sec, 2 seconds, 1 m, 1 min, 2 minutes"
)
"""Examples of every accepted duration form, quoted in error messages."""

SCALE_KEY: Final = "WSBDD_TIMEOUT_SCALE"
"""The environment key that multiplies every timeout."""

_UNITS: Final = {
    "ms": 0.001,
    "millisecond": 0.001,
    "milliseconds": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
}
DURATION_PATTERN: Final = r"\d+(?:\.\d+)?\s*(?:{})".format(
    "|".join(sorted(_UNITS, key=len, reverse=True))
)
"""A regular expression for a duration in a step phrase (``500 ms``, ``1.5 s``...)."""
_DURATION_RE: Final = re.compile(r"\A\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]+)\s*\Z")


def parse_duration(text: str) -> float:
    """Seconds in ``text`` such as ``"500 ms"`` or ``"1.5 s"``.

    The number may be whole or decimal; the unit is required. Raises
    :class:`UsageError` listing the accepted forms for anything else.
    """
    found = _DURATION_RE.match(text)
    unit = found.group(2).lower() if found else ""
    if found is None or unit not in _UNITS:
        raise UsageError(
            f"invalid duration {text!r}: write a number and a unit, e.g. {DURATION_FORMS}"
        )
    return float(found.group(1)) * _UNITS[unit]


def format_duration(seconds: float) -> str:
    """``0.512`` → ``512 ms``, ``0.0031`` → ``3.1 ms``, ``2.3`` → ``2.30 s``."""
    sign = "-" if seconds < 0 else ""
    value = abs(seconds)
    millis = value * 1000
    if round(millis, 1) < 10:
        return f"{sign}{millis:.1f} ms"
    if round(millis) < 1000:
        return f"{sign}{round(millis)} ms"
    return f"{sign}{value:.2f} s"


def percentile(samples: Iterable[float], p: float) -> float | None:
    """The ``p``-th percentile of ``samples`` by nearest rank; ``None`` when empty.

    ``p`` must be in ``(0, 100]``: ``percentile(x, 100)`` is the maximum and
    ``percentile(x, 50)`` the lower median. Raises :class:`ValueError` for
    any other ``p``.
    """
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    ordered = sorted(samples)
    if not ordered:
        return None
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


@dataclass(frozen=True, slots=True)
class LatencyStats:
    """A summary of latency samples in seconds; each statistic is ``None`` when empty.

    ``lost`` counts messages that never arrived (they have no sample).
    """

    count: int
    lost: int
    p50: float | None
    p95: float | None
    p99: float | None
    max: float | None
    min: float | None
    mean: float | None

    @classmethod
    def from_samples(cls, samples: Iterable[float], lost: int = 0) -> LatencyStats:
        """Summarise ``samples`` (seconds)."""
        ordered = sorted(samples)
        if not ordered:
            return cls(0, lost, None, None, None, None, None, None)
        return cls(
            count=len(ordered),
            lost=lost,
            p50=percentile(ordered, 50),
            p95=percentile(ordered, 95),
            p99=percentile(ordered, 99),
            max=ordered[-1],
            min=ordered[0],
            mean=math.fsum(ordered) / len(ordered),
        )

    def render(self) -> str:
        """``count=200 lost=0 p50=3.1 ms p95=8.0 ms p99=12.4 ms max=15.0 ms``."""
        head = f"count={self.count} lost={self.lost}"
        if self.count == 0:
            return f"{head} (no samples)"
        parts = [head]
        for label, value in (("p50", self.p50), ("p95", self.p95), ("p99", self.p99)):
            parts.append(f"{label}={_ms(value)}")
        parts.append(f"max={_ms(self.max)}")
        return " ".join(parts)


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.1f} ms"


def timeout_scale(environ: Mapping[str, str]) -> float:
    """The factor in ``environ["WSBDD_TIMEOUT_SCALE"]`` (1.0 when unset or empty).

    Raises :class:`ConfigError` when the value is not a positive number.
    """
    raw = environ.get(SCALE_KEY, "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{raw!r} is not a positive number (e.g. 2 or 1.5)", key=SCALE_KEY)
    return value


def scaled(seconds: float, environ: Mapping[str, str]) -> float:
    """``seconds`` multiplied by :func:`timeout_scale` of ``environ``."""
    return seconds * timeout_scale(environ)
