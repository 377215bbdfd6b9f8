"""Durations, percentiles, latency summaries, timeout scale (wsbdd.core.timing)."""

from __future__ import annotations

import pytest

from wsbdd.core.exceptions import ConfigError, UsageError
from wsbdd.core.timing import (
    LatencyStats,
    format_duration,
    parse_duration,
    percentile,
    scaled,
    timeout_scale,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500 ms", 0.5),
        ("500ms", 0.5),
        ("2 s", 2.0),
        ("1.5 s", 1.5),
        ("2 seconds", 2.0),
        ("1 second", 1.0),
        ("3 sec", 3.0),
        ("500 milliseconds", 0.5),
        ("1 millisecond", 0.001),
        ("1 minute", 60.0),
        ("2 minutes", 120.0),
        ("2 min", 120.0),
        ("1 m", 60.0),
        ("0.25 m", 15.0),
        (".5 s", 0.5),
        ("  35 s ", 35.0),
        ("2 S", 2.0),
        ("0 ms", 0.0),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "500", "ms", "-1 s", "1,5 s", "2 hours", "1e3 ms", "2 s s"])
def test_parse_duration_rejects_and_lists_accepted_forms(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_duration(text)
    message = str(info.value)
    assert repr(text) in message
    assert "500 ms" in message and "2 seconds" in message and "1 min" in message


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.512, "512 ms"),
        (0.5, "500 ms"),
        (0.0031, "3.1 ms"),
        (0.0, "0.0 ms"),
        (0.01, "10 ms"),
        (0.9996, "1.00 s"),
        (2.3, "2.30 s"),
        (65.0, "65.00 s"),
        (-0.02, "-20 ms"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_percentile_nearest_rank() -> None:
    samples = [15, 20, 35, 40, 50]
    assert percentile(samples, 5) == 15
    assert percentile(samples, 30) == 20
    assert percentile(samples, 40) == 20
    assert percentile(samples, 50) == 35
    assert percentile(samples, 100) == 50


def test_percentile_does_not_need_sorted_input() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile(iter([5.0, 4.0]), 100) == 5.0


def test_percentile_of_one_and_of_none() -> None:
    assert percentile([7.0], 1) == 7.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


@pytest.mark.parametrize("p", [0, -1, 100.1])
def test_percentile_rejects_p_outside_range(p: float) -> None:
    with pytest.raises(ValueError, match=r"\(0, 100\]"):
        percentile([1.0], p)


def test_p95_of_100_samples_is_the_95th() -> None:
    samples = [i / 1000 for i in range(1, 101)]
    assert percentile(samples, 95) == 0.095
    assert percentile(samples, 99) == 0.099


def test_latency_stats_and_render() -> None:
    samples = [0.0031] * 100 + [0.008] * 95 + [0.0124] * 4 + [0.015]
    stats = LatencyStats.from_samples(samples)
    assert stats.count == 200
    assert stats.lost == 0
    assert stats.p50 == 0.0031
    assert stats.p95 == 0.008
    assert stats.p99 == 0.0124
    assert stats.max == 0.015
    assert stats.min == 0.0031
    assert stats.mean == pytest.approx(sum(samples) / 200)
    assert stats.render() == "count=200 lost=0 p50=3.1 ms p95=8.0 ms p99=12.4 ms max=15.0 ms"


def test_latency_stats_empty() -> None:
    stats = LatencyStats.from_samples([], lost=5)
    assert (stats.count, stats.lost, stats.p95, stats.max, stats.mean) == (0, 5, None, None, None)
    assert stats.render() == "count=0 lost=5 (no samples)"


def test_latency_stats_counts_lost() -> None:
    assert LatencyStats.from_samples([0.001], lost=3).render().startswith("count=1 lost=3 ")


def test_timeout_scale() -> None:
    assert timeout_scale({}) == 1.0
    assert timeout_scale({"WSBDD_TIMEOUT_SCALE": ""}) == 1.0
    assert timeout_scale({"WSBDD_TIMEOUT_SCALE": " 2.5 "}) == 2.5
    assert scaled(2.0, {"WSBDD_TIMEOUT_SCALE": "3"}) == 6.0
    assert scaled(2.0, {}) == 2.0


@pytest.mark.parametrize("raw", ["fast", "0", "-1", "nan", "inf"])
def test_timeout_scale_rejects_bad_values(raw: str) -> None:
    with pytest.raises(ConfigError) as info:
        timeout_scale({"WSBDD_TIMEOUT_SCALE": raw})
    assert info.value.key == "WSBDD_TIMEOUT_SCALE"
    assert "WSBDD_TIMEOUT_SCALE" in str(info.value)
