"""``wsbdd lint`` finds before the run what the run would stop on: one check per test."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.authoring.test_lint import feature, only
from wsbdd.authoring.lint import lint, lint_paths
from wsbdd.cli import main

ENV = "WSBDD_SERVER=embedded\nWSBDD_TOKEN_ALICE=alice-token\nWSBDD_TOKEN_BOB=bob-token\n"


@pytest.fixture
def suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A suite folder (the current directory) whose local.env has tokens for alice and bob."""
    for key in ("WSBDD_ENV", "WSBDD_SCHEMAS", "WSBDD_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / "features").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "local.env").write_text(ENV)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def raw_feature(root: Path, text: str) -> None:
    (root / "features" / "test.feature").write_text(textwrap.dedent(text).lstrip())


def test_an_unknown_profile_in_the_environment_file_is_named_at_its_line(suite: Path) -> None:
    (suite / "environments" / "ci.env").write_text(ENV + "WSBDD_PROFILE=chatt\n")
    feature(suite, "Given client A is connected as alice\n")
    problem = only(lint_paths(["features"], env="ci"), "unknown profile")
    assert (problem.path, problem.line) == ("environments/ci.env", 4)
    assert problem.message == (
        "WSBDD_PROFILE: unknown profile 'chatt': use a built-in "
        "(chat, chat-sse, graphql-transport-ws, socketio-chat) or the path of a .toml file"
    )


def test_an_identity_with_no_token_is_named_once_at_its_first_use(suite: Path) -> None:
    feature(
        suite,
        "Given client A is connected as carol\n"
        "And clients B and C are connected as alice and dave\n"
        "And client D is connected as carol\n",
    )
    problems = [p for p in lint_paths(["features"]) if p.kind == "missing token"]
    assert [(p.line, p.message) for p in problems] == [
        (
            3,
            '"as carol" needs a token: set WSBDD_TOKEN_CAROL in environments/local.env '
            'or add carol to a "Given the tokens:" table',
        ),
        (
            4,
            '"as dave" needs a token: set WSBDD_TOKEN_DAVE in environments/local.env '
            'or add dave to a "Given the tokens:" table',
        ),
    ]


def test_a_tokens_table_gives_a_token(suite: Path) -> None:
    feature(
        suite,
        "Given the tokens:\n  | user  | token |\n  | Frank | f-1   |\n"
        "And client A is connected as frank\n",
    )
    assert lint_paths(["features"]) == []


def test_tokens_are_not_checked_without_an_environment_file(suite: Path) -> None:
    (suite / "environments" / "local.env").unlink()
    feature(suite, "Given client A is connected as carol\n")
    assert lint_paths(["features"]) == []


def test_a_client_used_before_it_connects(suite: Path) -> None:
    raw_feature(
        suite,
        """
        Feature: f
          Background:
            Given client A is connected as alice

          Scenario: B is never connected
            When client B sends {"type": "ping"}
            Then client B receives {"type": "pong"}
            And client A receives {"type": "pong"}

          Scenario: C connects too late
            When client C sends {"type": "ping"}
            Given client C connects as bob

          Scenario: clients D and E are connected together
            Given clients D and E are connected as alice and bob
            Then client E receives {"type": "pong"}
        """,
    )
    problems = [p for p in lint_paths(["features"]) if p.kind == "unknown client"]
    assert [(p.line, p.message) for p in problems] == [
        (
            6,
            'client B is used before any step connects it in scenario "B is never connected": '
            'add "Given client B is connected" before this step',
        ),
        (
            11,
            'client C is used before any step connects it in scenario "C connects too late": '
            'add "Given client C is connected" before this step',
        ),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "30 12",
            "in the doc string: '30 12' is not one JSON value: write one JSON value per line "
            '(binary frames in hexadecimal? they go in "receives, in order, the binary messages:")',
        ),
        (
            '{"a": 1} {"b": 2}',
            "in the doc string: value #3 starts on the line of value #2 (write one JSON value "
            'per line) at line 2, column 10:\n  {"a": 1} {"b": 2}\n           ^',
        ),
    ],
)
def test_list_doc_strings_hold_one_json_value_per_line(
    suite: Path, line: str, message: str
) -> None:
    feature(
        suite,
        "Given client A is connected as alice\n"
        f'Then client A receives, in order, within 1 s:\n  """\n  {{"seq": 1}}\n  {line}\n  """\n',
    )
    problem = only(lint_paths(["features"]), "invalid JSON")
    assert (problem.line, problem.message) == (7, message)


def test_a_doc_string_line_left_of_its_quotes_is_said_in_plain_words(suite: Path) -> None:
    raw_feature(
        suite,
        '''
        Feature: f
          Scenario: s
            Given client A is connected as alice
            When client A sends:
              """
              {"type": "chat",
            "text": "hi"}
              """
        ''',
    )
    problems = lint_paths(["features"])
    assert [p.render() for p in problems] == [
        "features/test.feature:7: doc string: this line of the doc string opened at line 5 "
        'starts left of its opening """ (column 7): indent every line of a doc string at '
        "least as far as its quotes"
    ]


def test_closing_quotes_that_do_not_match(suite: Path) -> None:
    raw_feature(
        suite,
        '''
        Feature: f
          Scenario: s
            Given client A is connected as alice
            When client A sends:
              """
              {"type": "ping"}
              """"
            Then client A receives:
              """
              {"type": "pong"}
              ```
        ''',
    )
    problems = [p for p in lint_paths(["features"]) if p.kind == "doc string"]
    assert [(p.line, p.message) for p in problems] == [
        (
            7,
            'the closing """ of the doc string opened at line 5 has extra characters '
            """('\"\"\"\"'): write \"\"\" alone on its line""",
        ),
        (
            11,
            'the doc string opened with """ at line 9 is closed with ```: close it with """, '
            "as it was opened",
        ),
    ]


def test_a_doc_string_never_closed(suite: Path) -> None:
    raw_feature(
        suite,
        '''
        Feature: f
          Scenario: s
            Given client A is connected as alice
            When client A sends:
              """
              {"type": "ping"}
        ''',
    )
    problems = lint_paths(["features"])
    assert [(p.line, p.kind) for p in problems] == [(5, "doc string")]
    assert problems[0].message == (
        'this doc string is never closed: add a line with """ after its text'
    )


def test_the_summary_counts_files_and_steps(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feature(suite, "Given client A is connected as alice\n", name="a.feature")
    feature(
        suite, 'Given client A is connected as bob\nWhen client A sends {"a": 1}\n', "b.feature"
    )
    report = lint(["features"])
    assert (report.files, report.steps, report.problems) == (2, 3, [])
    assert main(["lint"]) == 0
    assert capsys.readouterr().out == "2 files, 3 steps: no problems\n"
    feature(suite, "Given client A conects\n", name="c.feature")
    assert main(["lint"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "3 files, 4 steps: 1 problem in 1 file"


def test_under_an_sse_profile_subscribing_or_authenticating_introduces_a_client(
    suite: Path,
) -> None:
    raw_feature(
        suite,
        """
        Feature: f
          Scenario: the stream is the subscription
            Given the API profile "chat-sse"
            And client F is subscribed to room:lobby
            When client B authenticates as bob
            And client B publishes "hi" to room:lobby
            Then client F receives "hi" from bob in room:lobby

          Scenario: a WebSocket profile still needs a connection first
            Given the API profile "chat"
            And client F is subscribed to room:lobby
        """,
    )
    problems = [p for p in lint_paths(["features"]) if p.kind == "unknown client"]
    assert [p.line for p in problems] == [11]


def test_the_environment_profile_counts_too(suite: Path) -> None:
    (suite / "environments" / "local.env").write_text(ENV + "WSBDD_PROFILE=chat-sse\n")
    raw_feature(
        suite,
        """
        Feature: f
          Scenario: the environment says SSE
            Given client F is subscribed to room:lobby
            Then client F receives {"type": "message"}
        """,
    )
    assert [p for p in lint_paths(["features"]) if p.kind == "unknown client"] == []
