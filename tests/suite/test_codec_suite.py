"""The shipped message-shape feature against the reference server speaking MessagePack."""

from __future__ import annotations

from pathlib import Path

from dotenv import dotenv_values

from tests.suite.suite_runs import REPO, run_suite


def test_message_shape_passes_with_messagepack_frames_both_ways(tmp_path: Path) -> None:
    server_args = dotenv_values(REPO / "environments" / "local.env")["WSBDD_SERVER_ARGS"]
    results = run_suite(
        tmp_path,
        "features/message_shape.feature",
        extra_env={
            "WSBDD_SERVER_ARGS": f"{server_args} --codec msgpack",
            "WSBDD_CODEC": "msgpack",
        },
    )
    assert results and all(r.status == "passed" for r in results), [
        (r.location, r.status, r.message) for r in results
    ]


def test_without_the_codec_the_same_feature_fails_honestly(tmp_path: Path) -> None:
    server_args = dotenv_values(REPO / "environments" / "local.env")["WSBDD_SERVER_ARGS"]
    results = run_suite(
        tmp_path,
        "features/message_shape.feature",
        extra_env={"WSBDD_SERVER_ARGS": f"{server_args} --codec msgpack"},
    )
    assert results and all(r.status == "failed" for r in results)
    assert any("msgpack" not in r.message and "<binary" in r.message for r in results)
