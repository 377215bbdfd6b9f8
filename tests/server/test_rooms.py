"""Rooms are freed when idle; history is bounded per room and in total; /metrics is true."""

from __future__ import annotations

import argparse
import json
import tracemalloc

import httpx
import pytest
from wsref_helpers import client, publish, recv, recv_type, run, serving, subscribe

from wsbdd.server.cli import add_serve_arguments, options_from_args
from wsbdd.server.history import DEFAULT_HISTORY_TOTAL, History, SeqMemory
from wsbdd.server.hub import Hub
from wsbdd.server.options import ServerOptions

# -- History and SeqMemory (pure) --------------------------------------------


def test_history_keeps_the_last_frames_per_channel() -> None:
    h = History(per_channel=3, total_frames=100, total_bytes=10**6)
    for seq in range(1, 6):
        assert h.keep("a", seq, f"f{seq}") == []
    assert h.frames == 3 and h.bytes == 6
    assert h.since("a", 5, 0) == (["f3", "f4", "f5"], False)
    assert h.since("a", 5, 2) == (["f3", "f4", "f5"], True)
    assert h.since("a", 5, 5) == ([], True)


def test_history_total_drops_the_oldest_frames_of_any_channel_first() -> None:
    h = History(per_channel=10, total_frames=3, total_bytes=10**6)
    h.keep("a", 1, "a1")
    h.keep("b", 1, "b1")
    h.keep("a", 2, "a2")
    assert h.keep("c", 1, "c1") == []  # a1 goes; a still has a2
    assert h.keep("c", 2, "c2") == ["b"]  # b1 goes: b has nothing left
    assert "b" not in h and "a" in h
    assert h.frames == 3
    assert h.since("a", 2, 0) == (["a2"], False)
    assert h.since("b", 1, 0) == ([], False)


def test_history_bytes_bound_counts_utf8_bytes() -> None:
    h = History(per_channel=10, total_frames=100, total_bytes=10)
    h.keep("a", 1, "ééé")  # 6 bytes
    assert h.bytes == 6
    assert h.keep("b", 1, "xxxx") == []  # 10 bytes: still fits
    assert h.keep("b", 2, "y") == ["a"]
    assert (h.frames, h.bytes) == (2, 5)
    assert h.keep("c", 1, "z" * 11) == []  # alone over the bound: not kept, nothing evicted
    assert "c" not in h and (h.frames, h.bytes) == (2, 5)
    h.keep("b", 3, "z" * 11)  # b's older frames would replay with a gap: dropped too
    assert "b" not in h and h.since("b", 3, 1) == ([], False)


def test_history_stale_entries_never_drop_newer_frames() -> None:
    h = History(per_channel=1, total_frames=2, total_bytes=10**6)
    for seq in range(1, 50):
        h.keep("busy", seq, f"b{seq}")
    h.keep("quiet", 1, "q1")
    assert h.since("quiet", 1, 0) == (["q1"], True)
    assert h.since("busy", 49, 47) == (["b49"], False)


def test_zero_history_keeps_nothing() -> None:
    for limits in ((0, 10, 10), (10, 0, 10), (10, 10, 0)):
        h = History(*limits)
        assert h.keep("a", 1, "x") == [] and "a" not in h and h.frames == 0


def test_seq_memory_continues_above_every_seq_it_forgot() -> None:
    seqs = SeqMemory(limit=2)
    assert seqs.start("room:a") == 0
    seqs.retire("room:a", 7, published=7)
    seqs.retire("room:b", 3, published=10)
    assert seqs.start("room:a") == 7  # remembered by name
    seqs.retire("room:a", 8, published=11)
    assert seqs.start("room:b") == 3
    seqs.retire("room:c", 1, published=12)  # room:b's memory is dropped: floor 12
    assert len(seqs) == 2 and seqs.floor == 12
    assert seqs.start("room:b") == 12 and seqs.start("room:new") == 12
    assert seqs.start("room:a") == 12  # its own 8 is below the floor


def test_seq_memory_holds_hashes_not_names() -> None:
    tracemalloc.start()
    try:
        seqs = SeqMemory(limit=100)
        for i in range(100):  # 6 MB of names
            seqs.retire(f"room:{i}-" + "x" * 60_000, i + 1, published=i + 1)
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 100_000, f"{held} bytes held for 100 freed channels"
    assert seqs.start("room:42-" + "x" * 60_000) == 43


# -- the hub -----------------------------------------------------------------


def test_100k_one_message_rooms_are_bounded_by_the_total_history() -> None:
    hub = Hub(history=1000, bugs=frozenset())
    for i in range(100_000):
        hub.publish(f"room:r{i}", {"type": "message", "text": "x"})
    metrics = hub.metrics()
    assert len(hub.channels) == DEFAULT_HISTORY_TOTAL == metrics["channels"]
    assert metrics["history_frames"] == DEFAULT_HISTORY_TOTAL
    assert "room:r99999" in hub.channels and "room:r0" not in hub.channels
    assert metrics["channels_subscribed"] == 0


def test_one_off_rooms_cost_no_memory_once_the_history_is_full() -> None:
    tracemalloc.start()
    try:
        hub = Hub(history=1000, bugs=frozenset(), history_total=1000)
        for i in range(3_000):  # full from room 1,000 on; its seq memory from room 11,000
            hub.publish(f"room:r{i}", {"type": "message", "text": "x"})
        for i in range(3_000, 12_000):
            hub.publish(f"room:r{i}", {"type": "message", "text": "x"})
        before = tracemalloc.get_traced_memory()[0]
        for i in range(12_000, 32_000):
            hub.publish(f"room:r{i}", {"type": "message", "text": "x"})
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 512 * 1024, f"20,000 more one-off rooms cost {grown / 2**20:.1f} MiB"


def test_a_room_without_history_is_freed_at_once() -> None:
    hub = Hub(history=0, bugs=frozenset())
    for i in range(1000):
        assert hub.publish(f"room:r{i}", {"type": "message"}) == 1
    assert hub.channels == {}
    assert hub.publish("room:r5", {"type": "message"}) == 2  # its seq goes on


# -- on the wire -------------------------------------------------------------


def test_metrics_count_every_room_held_and_free_idle_ones() -> None:
    async def main() -> None:
        async with (
            serving(history_total=50) as server,
            httpx.AsyncClient(base_url=server.http_url) as http,
        ):
            a = await client(server)
            for i in range(500):
                await publish(a, f"room:one-{i}", "hi")
            assert (await subscribe(a, "room:live"))["type"] == "subscribed"
            metrics = (await http.get("/metrics")).json()
            assert metrics["channels"] == 51, metrics  # 50 kept + the one subscribed
            assert metrics["channels_subscribed"] == 1
            assert metrics["history_frames"] == 50 and metrics["history_bytes"] > 50 * 50
            await a.send(json.dumps({"type": "unsubscribe", "channel": "room:live"}))
            assert (await recv(a))["type"] == "unsubscribed"
            metrics = (await http.get("/metrics")).json()
            assert (metrics["channels"], metrics["channels_subscribed"]) == (50, 0), metrics
            assert server.hub is not None and "room:live" not in server.hub.channels

    run(main())


def test_resume_after_the_room_was_freed_is_not_recovered_and_seq_goes_on() -> None:
    async def main() -> None:
        async with serving(history_total=3) as server:
            a = await client(server)
            for n in range(3):
                await publish(a, "room:r", f"m{n}")
            for i in range(3):  # push room:r's frames out of the total history
                await publish(a, f"room:other-{i}", "x")
            assert server.hub is not None and "room:r" not in server.hub.channels
            b = await client(server, "bob")
            sub = await subscribe(b, "room:r", since=1)
            assert (sub["seq"], sub["recovered"]) == (3, False), sub
            await publish(a, "room:r", "after")
            assert (await recv_type(b, "message"))["seq"] == 4

    run(main())


def test_history_options_on_the_command_line() -> None:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    default = options_from_args(parser.parse_args([]))
    assert (default.history_total, default.history_bytes) == (
        ServerOptions().history_total,
        ServerOptions().history_bytes,
    )
    given = options_from_args(parser.parse_args(["--history-total", "7", "--history-bytes", "0"]))
    assert (given.history_total, given.history_bytes) == (7, 0)
    with pytest.raises(SystemExit):
        parser.parse_args(["--history-total", "-1"])
    with pytest.raises(ValueError, match="history"):
        ServerOptions(history_bytes=-1)
