"""Progress of long operations: a live line on a terminal, plain lines and a summary in CI."""

from __future__ import annotations

import io

from wsbdd.runtime.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_off_a_terminal_a_long_operation_writes_a_line_every_few_seconds_and_a_summary() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, plain_interval=5.0, clock=clock)
    progress.restart()
    clock.t += 2
    progress.update("connecting", 1000, 10000)
    assert stream.getvalue() == ""  # not yet: every 5 s
    clock.t += 3.5
    progress.update("connecting", 3400, 10000, 12)
    clock.t += 1
    progress.update("connecting", 4000, 10000, 12)  # too soon after the last line
    clock.t += 4.5
    progress.update("connecting", 6000, 10000, 12)
    clock.t += 2
    progress.update("connecting", 10000, 10000, 12)
    progress.finish()
    assert stream.getvalue().splitlines() == [
        "wsbdd: connecting 3400/10000, 12 failed (5.5 s)",
        "wsbdd: connecting 6000/10000, 12 failed (11.0 s)",
        "wsbdd: connecting 10000/10000 in 13.0 s, 12 failed",
    ]
    assert "\r" not in stream.getvalue()


def test_off_a_terminal_a_short_operation_writes_nothing() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, delay=1.0, clock=clock)
    progress.restart()
    clock.t += 0.5
    progress.update("connecting", 100, 100)
    progress.finish()
    assert stream.getvalue() == ""


def test_off_a_terminal_each_long_operation_gets_its_own_summary() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, delay=1.0, clock=clock)
    progress.restart()
    clock.t += 1.5
    progress.update("closing", 10, 10)
    progress.restart()  # ends the first operation, starts the next
    clock.t += 2
    progress.update("connecting and disconnecting", 500, 500, 3)
    progress.finish()
    progress.finish()  # nothing more to say
    assert stream.getvalue().splitlines() == [
        "wsbdd: closing 10/10 in 1.5 s",
        "wsbdd: connecting and disconnecting 500/500 in 2.0 s, 3 failed",
    ]


def test_the_style_is_chosen_from_the_stream_unless_given() -> None:
    assert Progress(io.StringIO()).style == "plain"
    assert Progress(Terminal()).style == "terminal"
    quiet = Progress(io.StringIO(), style="off", clock=Clock())
    quiet.update("connecting", 1, 2)
    quiet.finish()
    assert not quiet.enabled


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
