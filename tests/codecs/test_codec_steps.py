"""Codecs as users run them: behave in a subprocess against servers speaking each codec."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.codecs.codec_servers import PROTO
from tests.codecs.conftest import project_for
from tests.integration.fixture_servers import FixtureServer


def feature(steps: str) -> str:
    return "Feature: codecs\n  Scenario: s\n" + steps


def test_messagepack_frames_are_what_the_json_steps_see(
    tmp_path: Path, msgpack_server: FixtureServer
) -> None:
    project = project_for(tmp_path, msgpack_server)
    (project.root / "features" / "schemas" / "pong.json").write_text(
        '{"type": "object", "required": ["type", "seq"],'
        ' "properties": {"seq": {"type": "integer"}}}'
    )
    project.feature(
        feature(
            "    Given client A's messages are MessagePack\n"
            "    And client A connects\n"
            '    Then client A receives {"type": "welcome"}\n'
            '    When client A sends {"type": "ping"}\n'
            '    Then client A receives {"type": "pong", "seq": "{{integer}}"} within 1 s\n'
            '    And the last message of client A matches schema "pong.json"\n'
            '    And the last message of client A has "$.seq" equal to 1\n'
            '    When I save "$.seq" from the last message of client A as "seq"\n'
            '    When client A sends {"type": "message", "channel": "room:x",'
            ' "text": "hi ${seq}"}\n'
            "    Then client A receives, in order, within 1 s:\n"
            '      """\n'
            '      {"type": "message", "text": "hi 1", "from": "alice"}\n'
            '      """\n'
            '    And client A receives no message matching {"type": "message"} within 100 ms\n'
        )
    )
    run = project.run()
    assert run.passed, run.output


def test_a_mismatch_shows_the_decoded_value_and_the_hex(
    tmp_path: Path, msgpack_server: FixtureServer
) -> None:
    project = project_for(tmp_path, msgpack_server)
    project.feature(
        feature(
            "    Given client A connects\n"
            "    And client A's messages are msgpack\n"
            '    When client A sends {"type": "ping"}\n'
            '    Then client A receives {"type": "pung"} within 300 ms\n'
        )
    )
    run = project.run()
    assert not run.passed
    # the welcome came before the codec step: it was decoded again
    welcome = "81 a4 74 79 70 65 a7 77 65 6c 63 6f 6d 65"
    assert f'{{"type":"welcome"}} (msgpack binary 14 bytes: {welcome})' in run.output
    assert '{"type":"pong","seq":1} (msgpack binary' in run.output
    assert '$.type: expected "pung", got "pong"' in run.output


def test_frames_the_codec_cannot_read_are_shown_with_the_reason(
    tmp_path: Path, msgpack_server: FixtureServer
) -> None:
    project = project_for(tmp_path, msgpack_server)
    project.feature(
        feature(
            "    Given client A's messages are MessagePack\n"
            "    And client A connects\n"
            '    When client A sends {"type": "raw", "text": "c1"}\n'
            '    And client A sends {"type": "text", "text": "plain words"}\n'
            '    Then client A receives {"type": "anything"} within 300 ms\n'
        )
    )
    run = project.run()
    assert not run.passed
    assert "<binary 1 bytes: c1> (not MessagePack:" in run.output
    assert "plain words (a text frame, but the messages are MessagePack (binary frames))" in (
        run.output
    )
    assert "Traceback" not in run.output


def test_cbor_frames_decode_too(tmp_path: Path, cbor_server: FixtureServer) -> None:
    project = project_for(tmp_path, cbor_server, WSBDD_CODEC="cbor")
    project.feature(
        feature(
            "    Given client A connects\n"
            '    Then client A receives {"type": "welcome"}\n'
            '    When client A sends {"type": "ping"}\n'
            '    Then client A receives {"type": "pong"} within 1 s\n'
        )
    )
    run = project.run()
    assert run.passed, run.output


def test_protobuf_from_a_proto_file_compiled_at_run_time(
    tmp_path: Path, protobuf_server: FixtureServer
) -> None:
    project = project_for(tmp_path, protobuf_server)
    (project.root / "features" / "protos").mkdir()
    shutil.copy(PROTO, project.root / "features" / "protos" / "chat.proto")
    project.feature(
        "Feature: protobuf\n"
        "  Background:\n"
        '    Given client A\'s messages are Protobuf "chat.Envelope" from "protos/chat.proto"\n'
        "    And client A connects\n"
        "  Scenario: a round trip\n"
        '    Then client A receives {"type": "welcome", "seq": "{{absent}}"}\n'
        '    When client A sends {"type": "message", "channel": "c", "text": "hi"}\n'
        '    Then client A receives {"type": "message", "from": "alice", "seq": 1} within 1 s\n'
        "  Scenario: a mismatch\n"
        '    Then client A receives {"type": "nope"} within 200 ms\n'
    )
    run = project.run(extra_env={"WSBDD_CACHE_DIR": str(tmp_path / "cache")})
    assert "1 scenario passed, 1 failed" in run.output, run.output
    # unset proto3 fields are left out; the failure shows the decoded value and the hex
    welcome = "0a 07 77 65 6c 63 6f 6d 65"
    assert f'{{"type":"welcome"}} (protobuf chat.Envelope binary 9 bytes: {welcome})' in run.output
    assert list((tmp_path / "cache" / "protobuf").glob("chat-*.desc")), "the compiled set is cached"


def test_a_missing_proto_type_is_an_error_naming_file_and_type(
    tmp_path: Path, protobuf_server: FixtureServer
) -> None:
    project = project_for(tmp_path, protobuf_server, WSBDD_CACHE_DIR=str(tmp_path / "cache"))
    (project.root / "features" / "protos").mkdir()
    shutil.copy(PROTO, project.root / "features" / "protos" / "chat.proto")
    project.feature(
        feature(
            '    Given client A\'s messages are Protobuf "chat.Nope" from "protos/chat.proto"\n'
        )
    )
    run = project.run()
    assert not run.passed
    assert 'protos/chat.proto: no message type "chat.Nope" (it has: chat.Envelope)' in run.output


def test_binary_frames_by_prefix_next_and_in_order(
    tmp_path: Path, msgpack_server: FixtureServer
) -> None:
    project = project_for(tmp_path, msgpack_server)
    project.feature(
        feature(
            "    Given client A's messages are MessagePack\n"
            "    And client A connects\n"
            '    And client A receives {"type": "welcome"}\n'
            '    When client A sends {"type": "raw",'
            ' "text": "30 05 00 01 74 31,20 02 00 00,30 05 00 01 74 32"}\n'
            '    Then client A receives a binary message starting with "30 05" within 1 s\n'
            '    And client A\'s next message is the binary message "20 02 00 00"\n'
            '    When client A sends {"type": "raw",'
            ' "text": "30 05 00 01 74 31,30 05 00 01 74 32"}\n'
            "    Then client A receives, in order, the binary messages:\n"
            '      """\n'
            "      30 05 00 01 74 31\n"
            "      30 05 00 01 74 32\n"
            '      """\n'
        )
    )
    run = project.run()
    assert run.passed, run.output


def test_a_binary_mismatch_names_the_first_differing_byte_as_written(
    tmp_path: Path, msgpack_server: FixtureServer
) -> None:
    project = project_for(tmp_path, msgpack_server)
    project.feature(
        feature(
            "    Given client A connects\n"
            '    When client A sends {"type": "raw", "text": "30 05 00 01 74 31"}\n'
            '    Then client A receives the binary message "30 05 00 01 75 31" within 300 ms\n'
        ).replace(
            "client A connects\n",
            "client A's messages are MessagePack\n    And client A connects\n",
        )
    )
    run = project.run()
    assert not run.passed
    assert "did not receive the binary message 30 05 00 01 75 31" in run.output
    assert "closest binary frame: #1 30 05 00 01 74 31" in run.output
    assert "first difference at byte 4: expected 75, got 74" in run.output


def test_a_profiles_codec_serves_the_channel_steps(
    tmp_path: Path, msgpack_server: FixtureServer
) -> None:
    project = project_for(tmp_path, msgpack_server)
    project.file(
        "profiles/msgpack-chat.toml",
        """
        extends = "chat"
        [profile]
        name = "msgpack-chat"
        codec = "msgpack"
        [auth]
        mode = "none"
        """,
    )
    project.feature(
        feature(
            '    Given the API profile "profiles/msgpack-chat.toml"\n'
            "    And clients A and B are connected\n"
            "    And client A is subscribed to room:x\n"
            "    And client B is subscribed to room:x\n"
            '    When client A publishes "hi" to room:x\n'
            '    Then client B receives "hi" from alice in room:x within 1 s\n'
            "    When client A publishes 20 messages to room:x\n"
            "    Then client B receives all 20 messages from client A within 2 s\n"
            "    And the p95 delivery latency from client A to client B is below 500 ms\n"
        )
    )
    run = project.run()
    assert run.passed, run.output


def test_next_any_order_and_counts_work_on_decoded_frames(
    tmp_path: Path, cbor_server: FixtureServer
) -> None:
    project = project_for(tmp_path, cbor_server, WSBDD_CODEC="cbor")
    doc = '      """\n'
    project.feature(
        feature(
            "    Given client A connects\n"
            '    Then client A\'s next message is {"type": "welcome"}\n'
            '    When client A sends {"type": "ping"}\n'
            '    And client A sends {"type": "message", "channel": "room:x", "text": "two"}\n'
            "    Then client A receives, in any order, within 1 s:\n"
            + doc
            + '      {"type": "message", "text": "two"}\n'
            '      {"type": "pong"}\n'
            + doc
            + "    When client A sends 3 messages:\n"
            + doc
            + '      {"type": "message", "channel": "room:x", "text": "n=${i}"}\n'
            + doc
            + '    Then client A receives 3 messages matching {"type": "message", "from": "alice"}'
            " within 1 s\n"
        )
    )
    run = project.run()
    assert run.passed, run.output
