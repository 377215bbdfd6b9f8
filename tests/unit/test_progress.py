"""The crowd progress line: silent off a terminal, throttled, erased at the end."""

from __future__ import annotations

import io

from wsbdd.client.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_nothing_is_written_when_the_stream_is_not_a_terminal() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, clock=clock)
    clock.t += 5
    progress.update("connecting", 10, 100, 1)
    progress.finish()
    assert stream.getvalue() == ""


def test_short_operations_draw_nothing() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, delay=1.0, clock=clock)
    clock.t += 0.5
    progress.update("connecting", 10, 100)
    progress.finish()
    assert stream.getvalue() == ""


def test_a_long_operation_draws_one_line_then_erases_it() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, delay=1.0, interval=0.1, clock=clock)
    clock.t += 1.2
    progress.update("connecting", 3400, 10000, 12)
    clock.t += 0.01
    progress.update("connecting", 3401, 10000, 12)  # throttled
    clock.t += 0.2
    progress.update("connecting", 3500, 10000)
    progress.finish()
    text = stream.getvalue()
    assert "\n" not in text
    assert text.split("\r")[1:] == [
        "connecting 3400/10000, 12 failed",
        "connecting 3500/10000           ",  # the longer line is blanked out
        " " * len("connecting 3500/10000"),
        "",
    ]


def test_restart_counts_the_delay_again() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, delay=1.0, clock=clock)
    clock.t += 2
    progress.restart()
    progress.update("closing", 1, 10)
    assert stream.getvalue() == ""
