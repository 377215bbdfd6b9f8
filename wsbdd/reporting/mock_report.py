"""What a mock server saw, and the app under test's output, as report attachments.

``mock server transcript`` (text) and ``mock server.json`` (JSON)
    every connection attempt: when its handshake arrived (time since the
    scenario started), path, query, headers (redacted), subprotocol, status,
    each frame (``←`` from the app, ``→`` from the mock, ``•`` events) with its
    stamp, and how it ended;
``app under test N output`` (text)
    what the app printed (stdout and stderr) up to the end of the scenario;
``reconnects`` (CSV) and ``reconnects chart`` (SVG)
    after a reconnect check: per client, its attempts and delays after the
    disruption, and a histogram of the clients' first attempts after it (a
    storm is one tall bar).
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from wsbdd.core.redaction import Redactor
from wsbdd.mock.analytics import ClientHistory, judged
from wsbdd.mock.recorder import MockConnection, MockRecord
from wsbdd.reporting._allure import attach_csv, attach_json, attach_svg, attach_text, is_active
from wsbdd.reporting.latency import HEIGHT, WIDTH, histogram, nice_step

if TYPE_CHECKING:
    from wsbdd.mock.ops import MockOps

__all__ = [
    "attach_mock",
    "mock_json",
    "reconnect_svg",
    "reconnect_table",
    "render_mock_transcript",
]

_ARROWS = {"received": "←", "sent": "→", "event": "•"}
_LEFT, _RIGHT, _TOP, _BOTTOM = 60, 20, 48, 48


def _t(at: float, origin: float) -> str:
    return f"+{(at - origin) * 1000:.1f} ms"


def _data(data: str | bytes, redactor: Redactor) -> str:
    if isinstance(data, bytes):
        return f"<binary {len(data)} bytes: {redactor.bytes(data)[:64].hex()}>"
    return redactor.text(data)


def _target(conn: MockConnection, redactor: Redactor) -> str:
    query = "&".join(f"{k}={v}" for k, v in conn.query)
    return redactor.url(conn.path + (f"?{query}" if query else ""))


def render_mock_transcript(record: MockRecord, origin: float, redactor: Redactor) -> str:
    """Every connection the mock saw, one block each (see the module docstring)."""
    if not record.connections:
        return "the mock server saw no connection attempt"
    blocks = []
    for conn in record.connections:
        lines = [f"connection #{conn.index} {_t(conn.at, origin)} GET {_target(conn, redactor)}"]
        lines += [f"  {k}: {v}" for k, v in redactor.headers(conn.headers)]
        status = "pending" if conn.status is None else str(conn.status)
        lines.append(f"  status {status}, subprotocol {conn.subprotocol or 'none'}")
        for frame in conn.frames:
            arrow = _ARROWS[frame.direction]
            lines.append(f"  {_t(frame.at, origin)} {arrow} {_data(frame.data, redactor)}")
        if conn.closed is not None:
            lines.append(f"  {_t(conn.closed.at, origin)} {conn.closed.describe()}")
        elif conn.refused_at is not None:
            lines.append(f"  {_t(conn.refused_at, origin)} refused with status {conn.status}")
        elif conn.accepted:
            lines.append("  still open at the end of the scenario (closed by the teardown)")
        else:
            lines.append("  handshake not answered yet")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def mock_json(record: MockRecord, origin: float, redactor: Redactor) -> list[dict[str, Any]]:
    """The same as :func:`render_mock_transcript`, machine-readable."""
    return [
        {
            "index": conn.index,
            "at_ms": round((conn.at - origin) * 1000, 3),
            "target": _target(conn, redactor),
            "headers": [list(h) for h in redactor.headers(conn.headers)],
            "status": conn.status,
            "subprotocol": conn.subprotocol,
            "frames": [
                {
                    "at_ms": round((f.at - origin) * 1000, 3),
                    "direction": f.direction,
                    "data": _data(f.data, redactor),
                }
                for f in conn.frames
            ],
            "closed": None
            if conn.closed is None
            else {
                "at_ms": round((conn.closed.at - origin) * 1000, 3),
                "code": conn.closed.code,
                "reason": conn.closed.reason,
                "initiated_by": conn.closed.initiated_by,
                "clean": conn.closed.clean,
            },
        }
        for conn in record.connections
    ]


def reconnect_table(clients: dict[str, ClientHistory], since: float) -> str:
    """Per client: attempts after the disruption, first attempt, delays, median growth."""
    rows = ["client,attempts after,first attempt (ms),delays (ms),median ratio"]
    for history in judged(clients, since):
        name = history.client
        after = history.after(since)
        first = f"{(after[0][0].at - since) * 1000:.1f}" if after else ""
        delays = history.delays(since)
        ratios = [b / a for a, b in itertools.pairwise(delays)]
        median = f"{statistics.median(ratios):.2f}" if ratios else ""
        shown = " ".join(f"{d * 1000:.0f}" for d in delays)
        rows.append(f"{name},{len(after)},{first},{shown},{median}")
    return "\n".join(rows) + "\n"


def _text(x: float, y: float, body: str, size: int = 12, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}">'
        f"{escape(body)}</text>"
    )


def reconnect_svg(first_ms: Sequence[float], title: str, subtitle: str) -> str:
    """A histogram of the clients' first attempts after the disruption (milliseconds)."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _text(WIDTH / 2, 20, title, 15),
        _text(WIDTH / 2, 38, subtitle),
    ]
    bars = histogram(list(first_ms))
    if not bars:
        parts += [_text(WIDTH / 2, HEIGHT / 2, "no reconnection attempt", 14), "</svg>"]
        return "\n".join(parts)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    upper, peak = bars[-1].high, max(b.count for b in bars)
    top = peak + max(1.0, nice_step(peak, 4))
    axis_y = _TOP + plot_h
    for bar in bars:
        if bar.count:
            x = _LEFT + plot_w * bar.low / upper
            w = max(1.0, plot_w * (bar.high - bar.low) / upper - 1)
            h = plot_h * bar.count / top
            parts.append(
                f'<rect x="{x:.1f}" y="{axis_y - h:.1f}" width="{w:.1f}" height="{h:.1f}" '
                f'fill="#5c8fd6"><title>{bar.low:g}–{bar.high:g} ms: {bar.count} clients'
                "</title></rect>"
            )
    parts.append(
        f'<line x1="{_LEFT}" y1="{axis_y}" x2="{WIDTH - _RIGHT}" y2="{axis_y}" stroke="#333"/>'
    )
    step, tick = nice_step(upper, 6), 0.0
    while tick <= upper + 1e-9:
        parts.append(_text(_LEFT + plot_w * tick / upper, axis_y + 18, f"{tick:g}", 11))
        tick += step
    parts.append(_text(_LEFT + plot_w / 2, HEIGHT - 8, "first attempt after the disruption (ms)"))
    parts.append(_text(_LEFT - 8, _TOP + 10, f"{peak} clients", 11, "end"))
    parts.append("</svg>")
    return "\n".join(parts)


def attach_mock(mock: MockOps, origin: float, redactor: Redactor) -> None:
    """Attach the mock's transcript, each app's output and the last reconnect distribution."""
    if not is_active():
        return
    if mock.server is not None:
        record = mock.server.record
        text, data = mock.read(
            lambda: (
                render_mock_transcript(record, origin, redactor),
                mock_json(record, origin, redactor),
            )
        )
        attach_text(text, "mock server transcript")
        attach_json(data, "mock server.json")
    for number, app in enumerate(mock.apps, 1):
        output = app.output or "(no output)"
        attach_text(
            f"$ {redactor.text(app.command)}\n{redactor.text(output)}",
            f"app under test {number} output",
        )
    if mock.reconnects.last is not None:
        clients, since = mock.reconnects.last
        first = [
            (a.at - since) * 1000
            for h in judged(clients, since)
            if (a := h.first_attempt(since)) is not None
        ]
        attach_csv(reconnect_table(clients, since), "reconnects")
        subtitle = f"{len(first)} clients, measured from the {mock.disruption_name()}"
        attach_svg(
            reconnect_svg(first, "reconnections after the disruption", subtitle), "reconnects chart"
        )
