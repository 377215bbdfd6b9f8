"""``wsbdd lint`` on codecs and hex: bad hex, unknown codecs, missing .proto files and types."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.codecs.codec_servers import PROTO
from wsbdd.authoring.lint import lint_paths


@pytest.fixture
def suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in ("WSBDD_ENV", "WSBDD_CODEC", "WSBDD_SCHEMAS"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / "features" / "protos").mkdir(parents=True)
    shutil.copy(PROTO, tmp_path / "features" / "protos" / "chat.proto")
    monkeypatch.setenv("WSBDD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(suite: Path, steps: str) -> list[str]:
    (suite / "features" / "t.feature").write_text(
        "Feature: t\n  Scenario: s\n    Given client A connects\n" + steps
    )
    return [p.render() for p in lint_paths(["features"])]


def test_clean_codec_steps_pass(suite: Path) -> None:
    assert (
        lint(
            suite,
            "    Given client A's messages are MessagePack\n"
            '    And client A\'s messages are Protobuf "chat.Envelope" from "protos/chat.proto"\n'
            '    Then client A receives a binary message starting with "30 0c"\n'
            "    Then client A receives, in order, the binary messages:\n"
            '      """\n      30 05 00 01 74 31\n      3005000174 32\n      """\n',
        )
        == []
    )


def test_bad_hex_on_a_step_and_in_a_doc_string(suite: Path) -> None:
    problems = lint(
        suite,
        '    Then client A receives a binary message starting with "30 0g"\n'
        "    Then client A receives, in order, the binary messages:\n"
        '      """\n      30 05\n      30 0\n      """\n',
    )
    assert problems[0].startswith(
        "features/t.feature:4: bad hex: \"30 0g\" is not hexadecimal: 'g' is not 0-9 or a-f"
    )
    assert problems[1].startswith(
        "features/t.feature:8: invalid hex: in the doc string: '30 0' is not one binary frame"
    )


def test_an_unknown_codec_is_named_with_a_suggestion(suite: Path) -> None:
    problems = lint(suite, "    Given client A's messages are msgpak\n")
    assert len(problems) == 1
    assert 'unknown codec: unknown codec "msgpak": use json, msgpack' in problems[0]
    assert "did you mean: msgpack" in problems[0]


def test_a_missing_proto_file_and_a_missing_type(suite: Path) -> None:
    problems = lint(
        suite,
        '    Given client A\'s messages are Protobuf "chat.Envelope" from "protos/nope.proto"\n'
        '    Given client B\'s messages are Protobuf "chat.Nope" from "protos/chat.proto"\n',
    )
    assert 'missing proto: Protobuf file "protos/nope.proto" not found' in problems[0]
    assert "bad proto: " in problems[1] and 'no message type "chat.Nope"' in problems[1]
