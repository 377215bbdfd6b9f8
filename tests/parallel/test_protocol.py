"""Markers inside a worker's console output, split back out chunk by chunk."""

from __future__ import annotations

from wsbdd.parallel.protocol import MARKER, Event, MarkerSplitter, encode_marker


def split(*chunks: str) -> list[str | Event]:
    splitter = MarkerSplitter()
    items: list[str | Event] = []
    for chunk in chunks:
        items.extend(splitter.feed(chunk))
    rest = splitter.flush()
    return [*items, rest] if rest else items


def joined(items: list[str | Event]) -> list[str | Event]:
    """Adjacent text pieces joined (how text is cut into pieces does not matter)."""
    out: list[str | Event] = []
    for item in items:
        if isinstance(item, str) and out and isinstance(out[-1], str):
            out[-1] += item
        else:
            out.append(item)
    return out


def test_text_and_markers_come_out_in_order() -> None:
    stream = "Feature: A\n" + encode_marker("scenario", location="a.feature:3") + "  Scenario\n"
    assert joined(split(stream)) == [
        "Feature: A\n",
        Event("scenario", {"location": "a.feature:3"}),
        "  Scenario\n",
    ]


def test_a_marker_cut_anywhere_is_still_found() -> None:
    stream = "x" + encode_marker("result", status="passed") + "y"
    expected = ["x", Event("result", {"status": "passed"}), "y"]
    for cut in range(1, len(stream)):
        assert joined(split(stream[:cut], stream[cut:])) == expected, cut


def test_a_marker_after_text_on_the_same_line_is_found() -> None:
    assert joined(split("features/a.feature  ." + encode_marker("eof"))) == [
        "features/a.feature  .",
        Event("eof"),
    ]


def test_stray_separators_and_broken_markers_stay_text() -> None:
    assert joined(split("a\x1eb\n")) == ["a\x1eb\n"]
    broken = MARKER + "{not json\n"
    assert joined(split(broken)) == [broken]
    assert joined(split(MARKER + "[1]\n")) == [MARKER + "[1]\n"]


def test_an_unfinished_marker_at_the_end_is_shown_as_text() -> None:
    assert joined(split("ok\n" + MARKER + '{"event": "sce')) == ["ok\n" + MARKER + '{"event": "sce']
