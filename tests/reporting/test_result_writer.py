"""The Allure results writer thread, and the hooks' stack-capture-free scenario attributes."""

from __future__ import annotations

from pathlib import Path

import pytest
from behave.runner import Context

from wsbdd.hooks import _put
from wsbdd.reporting.result_writer import ResultWriter


def test_flush_waits_until_every_file_is_in_place_with_no_temporary_left(tmp_path: Path) -> None:
    writer = ResultWriter()
    for i in range(50):
        writer.write(tmp_path / f"{i}-result.json", f'{{"n": {i}}}'.encode())
    writer.flush()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{i}-result.json" for i in range(50))
    assert (tmp_path / "49-result.json").read_bytes() == b'{"n": 49}'
    writer.write(tmp_path / "again.txt", b"x")  # usable after a flush
    writer.flush()
    assert (tmp_path / "again.txt").read_bytes() == b"x"


def test_a_failed_write_is_raised_by_flush_not_lost(tmp_path: Path) -> None:
    writer = ResultWriter()
    writer.write(tmp_path / "missing-folder" / "a.json", b"{}")
    writer.write(tmp_path / "b.json", b"{}")
    with pytest.raises(FileNotFoundError):
        writer.flush()
    assert (tmp_path / "b.json").exists()  # the rest was still written
    writer.flush()  # the error is reported once


class _Runner:
    config = None


def test_scenario_attributes_are_set_without_a_stack_record() -> None:
    context = Context(_Runner())  # type: ignore[no-untyped-call]
    context._push(layer="scenario")  # type: ignore[no-untyped-call]
    _put(context, wsbdd="session", wsbdd_report="report")
    assert (context.wsbdd, context.wsbdd_report) == ("session", "report")
    assert "wsbdd" not in context._record  # no traceback.extract_stack for our names
    assert context._stack[0]["wsbdd"] == "session"  # in the scenario's frame: popped with it
    _put(context, wsbdd=None, wsbdd_report=None)
    assert context.wsbdd is None and "wsbdd_report" not in context._record
