"""Latency distributions as a table and a chart, for the report.

A latency step ("the p95 delivery latency from client A to client B is below
200 ms") gets two attachments:

``latency A → B`` (CSV, shown as a table)
    samples, lost, min, p50, p95, p99, max and mean in milliseconds;
``latency A → B chart`` (SVG)
    a histogram of the samples with the p50, p95 and p99 marked, and the
    limit under test (``p95 < 200 ms``) as a solid line labelled with it, red
    when the percentile broke it. A limit far beyond every sample (more than
    three times the largest) is not drawn to scale: an arrow at the right edge
    names it, so the bars stay readable.

The SVG is drawn here (no plotting dependency): a few dozen rectangles and
lines, readable at a glance in the report and in any browser.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from wsbdd.core.timing import LatencyStats, percentile
from wsbdd.reporting._allure import attach_csv, attach_svg

__all__ = [
    "HEIGHT",
    "WIDTH",
    "Bin",
    "LatencyLimit",
    "attach_latency",
    "histogram",
    "latency_svg",
    "latency_table",
    "nice_step",
]

WIDTH, HEIGHT = 720, 360
"""The chart's size in pixels."""
_LEFT, _RIGHT, _TOP, _BOTTOM = 60, 20, 48, 48
_MARKERS = (("p50", "#2e7d32"), ("p95", "#ef6c00"), ("p99", "#c62828"))


@dataclass(frozen=True, slots=True)
class Bin:
    """One histogram bar: samples in ``[low, high)`` milliseconds (the last bar includes high)."""

    low: float
    high: float
    count: int


@dataclass(frozen=True, slots=True)
class LatencyLimit:
    """The limit a latency step tested: percentile ``rank`` below ``limit`` seconds."""

    rank: float
    limit: float

    @property
    def label(self) -> str:
        """``limit: p95 < 200 ms``."""
        return f"limit: p{self.rank:g} < {self.limit * 1000:g} ms"


_LIMIT_SCALE = 3.0
"""A limit up to this many times the largest sample is drawn to scale."""


def nice_step(span: float, target: int = 6) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about ``target`` ticks."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def histogram(samples_ms: Sequence[float], bins: int = 24, upto: float = 0.0) -> list[Bin]:
    """``bins`` equal bars from 0 to a round value at or above the largest sample (and ``upto``)."""
    if not samples_ms:
        return []
    top = max(*samples_ms, upto)
    step = nice_step(top, 6)
    upper = max(step, math.ceil(top / step) * step)
    width = upper / bins
    counts = [0] * bins
    for value in samples_ms:
        counts[min(bins - 1, max(0, int(value / width)))] += 1
    return [Bin(i * width, (i + 1) * width, c) for i, c in enumerate(counts)]


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:.2f}"


def latency_table(stats: LatencyStats) -> str:
    """The summary as CSV: one statistic per row, milliseconds."""
    rows = [
        ("statistic", "value"),
        ("samples", str(stats.count)),
        ("lost", str(stats.lost)),
        ("min (ms)", _ms(stats.min)),
        ("p50 (ms)", _ms(stats.p50)),
        ("p95 (ms)", _ms(stats.p95)),
        ("p99 (ms)", _ms(stats.p99)),
        ("max (ms)", _ms(stats.max)),
        ("mean (ms)", _ms(stats.mean)),
    ]
    return "".join(f"{a},{b}\n" for a, b in rows)


def _text(
    x: float, y: float, body: str, *, anchor: str = "middle", size: int = 12, **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
        f"{escape(body)}</text>"
    )


def _beside(x: float, y: float, body: str, colour: str) -> str:
    """A label beside a vertical line: right of it, or left of it in the chart's right half."""
    if x > _LEFT + (WIDTH - _LEFT - _RIGHT) / 2:
        return _text(x - 4, y, body, anchor="end", size=12, fill=colour)
    return _text(x + 4, y, body, anchor="start", size=12, fill=colour)


def _limit_lines(
    limit: LatencyLimit, samples: Sequence[float], x_of: Any, upper: float, axis_y: float
) -> list[str]:
    """The limit's solid line and label (or, off the scale, an arrow at the right edge)."""
    value = percentile(samples, limit.rank)
    broken = value is not None and value >= limit.limit
    colour = "#b71c1c" if broken else "#1b5e20"
    limit_ms = limit.limit * 1000
    if limit_ms > upper:
        x = x_of(upper)
        return [
            _text(x, _TOP + 14 * 4, f"{limit.label} →", anchor="end", size=12, fill=colour),
        ]
    x = x_of(limit_ms)
    return [
        f'<line x1="{x:.1f}" y1="{_TOP - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="{colour}" '
        f'stroke-width="3"><title>{escape(limit.label)}</title></line>',
        _beside(x, axis_y - 8, limit.label, colour),
    ]


def latency_svg(
    samples: Sequence[float],
    stats: LatencyStats,
    title: str,
    limit: LatencyLimit | None = None,
) -> str:
    """A histogram of ``samples`` (seconds) with p50/p95/p99 and the limit, as an SVG document."""
    samples_ms = [s * 1000 for s in samples]
    limit_ms = 0.0 if limit is None else limit.limit * 1000
    in_scale = bool(samples_ms) and limit_ms <= _LIMIT_SCALE * max(samples_ms)
    bars = histogram(samples_ms, upto=limit_ms if in_scale else 0.0)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _text(WIDTH / 2, 20, title, size=15, font_weight="bold"),
        _text(WIDTH / 2, 38, stats.render(), size=12, fill="#444"),
    ]
    if not bars:
        parts.append(_text(WIDTH / 2, HEIGHT / 2, "no samples", size=14, fill="#c62828"))
        parts.append("</svg>")
        return "\n".join(parts)
    upper = bars[-1].high
    peak = max(b.count for b in bars)
    count_step = max(1.0, nice_step(peak, 4))
    count_top = (math.floor(peak / count_step) + 1) * count_step  # headroom above the peak

    def x_of(ms: float) -> float:
        return _LEFT + plot_w * ms / upper

    def y_of(count: float) -> float:
        return _TOP + plot_h * (1 - count / count_top)

    ticks = int(count_top / count_step)
    for i in range(ticks + 1):
        value = i * count_step
        y = y_of(value)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" stroke="#eee"/>'
        )
        parts.append(_text(_LEFT - 6, y + 4, f"{value:g}", anchor="end", size=11))
    for bar in bars:
        if bar.count:
            x, y = x_of(bar.low), y_of(bar.count)
            w = max(1.0, x_of(bar.high) - x - 1)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{_TOP + plot_h - y:.1f}" '
                f'fill="#5c8fd6"><title>{bar.low:g}–{bar.high:g} ms: {bar.count}</title></rect>'
            )
    axis_y = _TOP + plot_h
    parts.append(
        f'<line x1="{_LEFT}" y1="{axis_y}" x2="{_LEFT + plot_w}" y2="{axis_y}" stroke="#333"/>'
    )
    parts.append(f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{axis_y}" stroke="#333"/>')
    step = nice_step(upper, 6)
    tick = 0.0
    while tick <= upper + 1e-9:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 5}" stroke="#333"/>'
        )
        parts.append(_text(x, axis_y + 18, f"{tick:g}", size=11))
        tick += step
    parts.append(_text(_LEFT + plot_w / 2, HEIGHT - 8, "latency (ms)", size=12))
    parts.append(
        _text(
            16,
            _TOP + plot_h / 2,
            "messages",
            size=12,
            transform=f"rotate(-90 16 {_TOP + plot_h / 2:.1f})",
        )
    )
    for row, (label, colour) in enumerate(_MARKERS):
        value = getattr(stats, label)
        if value is None:
            continue
        x = x_of(value * 1000)
        parts.append(
            f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{axis_y}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
        )
        parts.append(_beside(x, _TOP + 14 + 14 * row, f"{label} {value * 1000:.1f} ms", colour))
    if limit is not None:
        parts.extend(_limit_lines(limit, samples, x_of, upper, axis_y))
    parts.append("</svg>")
    return "\n".join(parts)


def attach_latency(
    sender: str,
    receiver: str,
    stats: LatencyStats,
    samples: Sequence[float],
    rank: float | None = None,
    limit: float | None = None,
) -> None:
    """Attach the table and the chart of a latency step (``rank``: the p tested below ``limit``)."""
    name = f"latency {sender} → {receiver}"
    attach_csv(latency_table(stats), name)
    title = f"delivery latency, client {sender} → client {receiver}"
    tested = LatencyLimit(rank, limit) if rank is not None and limit is not None else None
    attach_svg(latency_svg(samples, stats, title, tested), f"{name} chart")
