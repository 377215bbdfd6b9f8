"""``wsbdd lint``: each kind of problem with file:line and suggestions; silent on clean files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.vocabulary import VOCABULARY, pending_steps
from wsbdd.authoring.catalogue import registry_steps
from wsbdd.authoring.lint import Problem, lint_paths
from wsbdd.cli import main

REPO = Path(__file__).resolve().parents[2]
STEP_PROBLEMS = ("undefined step", "ambiguous step")


@pytest.fixture
def suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A suite folder (the current directory) with an environment and one schema."""
    for key in ("WSBDD_ENV", "WSBDD_SCHEMAS", "WSBDD_ROOM"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / "features" / "schemas").mkdir(parents=True)
    (tmp_path / "features" / "schemas" / "order.created.json").write_text('{"type": "object"}')
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "local.env").write_text(
        "WSBDD_SERVER=embedded\nWSBDD_SCHEMAS=features/schemas\nROOM=room:lobby\n"
        "WSBDD_TOKEN_ALICE=alice-token\nWSBDD_TOKEN_BOB=bob-token\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def feature(root: Path, body: str, name: str = "test.feature") -> Path:
    path = root / "features" / name
    path.write_text("Feature: f\n  Scenario: s\n" + textwrap.indent(textwrap.dedent(body), "    "))
    return path


def only(problems: list[Problem], kind: str) -> Problem:
    found = [p for p in problems if p.kind == kind]
    assert len(found) == 1, [p.render() for p in problems]
    return found[0]


def test_an_undefined_step_is_reported_at_its_line_with_close_phrases(suite: Path) -> None:
    feature(
        suite,
        'Given client A is connected as alice\nWhen client A sends {"type": "ping"}\n'
        'Then client A recieves {"type": "pong"} within 200 ms\n',
    )
    problems = lint_paths(["features"])
    problem = only(problems, "undefined step")
    assert (problem.path, problem.line) == ("features/test.feature", 5)
    assert problem.message == 'Then client A recieves {"type": "pong"} within 200 ms'
    assert problem.suggestions[0] == 'Then client A receives {"type": "pong"} within 200 ms'
    assert problem.render().splitlines()[1] == (
        '    did you mean: Then client A receives {"type": "pong"} within 200 ms'
    )
    assert len(problems) == 1


def test_and_and_but_take_the_type_of_the_step_before(suite: Path) -> None:
    # "client A is connected" means "connect" after Given and "is open" after Then;
    # "And" after Then must not be treated as a Given.
    feature(
        suite,
        "Given client A is connected as alice\nThen client A is connected\n"
        "And client A is connected as alice\n",
    )
    problem = only(lint_paths(["features"]), "undefined step")
    assert problem.line == 5
    assert "Given client A is connected as alice" in problem.suggestions


def test_an_ambiguous_step_names_every_definition(suite: Path) -> None:
    steps = suite / "steps"
    steps.mkdir()
    (steps / "mine.py").write_text(
        "from behave import step, use_step_matcher\n"
        "from wsbdd.steps import *  # noqa\n"
        "use_step_matcher('re')\n"
        "@step(r'client (?P<name>\\w+) sends (?P<body>\\{.*\\})')\n"
        "def loud(context, name, body):\n"
        "    '''Mine.'''\n"
    )
    feature(suite, 'When client A sends {"a": 1}\n')
    problem = only(lint_paths(["features"]), "ambiguous step")
    assert problem.line == 3
    assert "matches 2 step definitions" in problem.message
    assert "sends_inline" in problem.message and "loud" in problem.message
    # the project's steps are unloaded again afterwards
    assert all(m.func.__name__ != "loud" for ms in registry_steps().values() for m in ms)


def test_a_projects_own_steps_are_known(suite: Path) -> None:
    steps = suite / "steps"
    steps.mkdir()
    (steps / "mine.py").write_text(
        "from behave import given\n"
        "@given('the shop has {count:d} books')\n"
        "def books(context, count):\n"
        "    '''Mine.'''\n"
    )
    feature(suite, "Given the shop has 3 books\nGiven the shop has three books\n")
    problem = only(lint_paths(["features"]), "undefined step")
    assert problem.line == 4
    assert problem.suggestions == ("Given the shop has {count:d} books",)


def test_unknown_variables_with_suggestions_and_what_counts_as_known(suite: Path) -> None:
    feature(
        suite,
        """\
        Given client A is connected as alice
        When client A sends {"channel": "${ROOM}", "id": "${uuid}", "at": "${now}"}
        And I save "$.id" from the last message of client A as "order_id"
        Then client A receives {"id": "${ordr_id}"}
        When client A sends 3 messages:
          \"\"\"
          {"n": "${i}", "x": "${nope}"}
          \"\"\"
        When client A sends {"n": "${i}"}
        """,
    )
    problems = [p for p in lint_paths(["features"]) if p.kind == "unknown variable"]
    assert [(p.line, p.message.split()[0]) for p in problems] == [
        (6, "${ordr_id}"),
        (7, "${nope}"),
        (11, "${i}"),
    ]
    assert problems[0].suggestions == ("${order_id}",)
    assert "environments/local.env" in problems[0].message


def test_a_variable_set_in_another_scenario_or_later_is_known(suite: Path) -> None:
    # The canonical vocabulary uses ${room} from another scenario and ${order_id}
    # before its save step: lint only reports names nothing in the feature sets.
    path = suite / "features" / "v.feature"
    path.write_text(
        'Feature: f\n  Scenario: a\n    Given the variable "room" is "room:lobby"\n'
        "  Scenario: b\n    Given client A is connected\n"
        '    When client A sends {"channel": "${room}"}\n'
    )
    assert lint_paths(["features"]) == []


def test_invalid_json_on_the_line_and_in_doc_strings_points_at_the_line(suite: Path) -> None:
    feature(
        suite,
        """\
        Given client A is connected as alice
        When client A sends {"type": "ping",}
        Then client A receives:
          \"\"\"
          {"type": "message",
           "text": "hi" "x"}
          \"\"\"
        Then client A receives, in order, within 2 s:
          \"\"\"
          {"type": "a", "id": "${uuid}"}
          {"type": "b"
          \"\"\"
        """,
    )
    problems = [p for p in lint_paths(["features"]) if p.kind == "invalid JSON"]
    assert [p.line for p in problems] == [4, 8, 13]
    assert problems[0].message.startswith("on the step line: Expecting property name")
    assert problems[1].message.startswith("in the doc string: Expecting ',' delimiter")
    assert '"text": "hi" "x"}' in problems[1].message  # the line is quoted as written
    assert "value #2" in problems[2].message


def test_a_missing_schema_file_suggests_the_files_there_are(suite: Path) -> None:
    feature(
        suite,
        "Given client A is connected\n"
        'Then client A receives a message matching schema "order.create.json"\n'
        'Then the last message of client A matches schema "order.created.json"\n',
    )
    problem = only(lint_paths(["features"]), "missing schema")
    assert problem.line == 4
    assert 'schema file "order.create.json" not found in features/schemas' in problem.message
    assert problem.suggestions == ("order.created.json",)


def test_an_unknown_profile_is_reported_and_a_toml_file_is_accepted(suite: Path) -> None:
    (suite / "mine.toml").write_text('extends = "chat"\n')
    feature(
        suite,
        'Given the API profile "chatt"\nGiven the API profile "mine.toml"\n'
        'Given the API profile "graphql-transport-ws"\n',
    )
    problem = only(lint_paths(["features"]), "unknown profile")
    assert problem.line == 3
    assert problem.suggestions == ('the API profile "chat"', 'the API profile "chat-sse"')


def test_a_syntax_error_is_reported_with_its_line(suite: Path) -> None:
    (suite / "features" / "bad.feature").write_text(
        "Feature: f\n  Scenario: s\n    Given client A connects\n    Examples: oops\n"
    )
    problem = only(lint_paths(["features"]), "syntax")
    assert problem.path == "features/bad.feature"
    assert problem.line == 4


def test_a_chosen_environment_that_is_missing_or_bad_is_a_problem(suite: Path) -> None:
    feature(suite, "Given client A connects\n")
    missing = only(lint_paths(["features"], env="staging"), "environment")
    assert missing.path == "environments/staging.env"
    assert "not found" in missing.message
    (suite / "environments" / "ci.env").write_text("WSBDD_SERVER=none\nWSBDD_URL=http://x\n")
    bad = only(lint_paths(["features"], env="ci"), "environment")
    assert (bad.path, bad.line) == ("environments/ci.env", 2)
    assert "WSBDD_URL" in bad.message


def test_the_command_prints_path_line_kind_and_exits_1(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feature(suite, "Given client A conects\n")
    assert main(["lint"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "features/test.feature:3: undefined step: Given client A conects"
    assert "did you mean: Given client A connects" in out
    assert out.splitlines()[-1] == "1 file, 1 step: 1 problem in 1 file"


def test_the_command_sums_up_a_clean_file_in_one_line_and_exits_0(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feature(
        suite,
        'Given client A is connected as alice\nWhen client A sends {"type": "ping"}\n'
        'Then client A receives {"type": "pong"} within 200 ms\n',
    )
    assert main(["lint", "features/test.feature"]) == 0
    assert capsys.readouterr().out == "1 file, 3 steps: no problems\n"
    assert main(["lint", "--quiet", "features/test.feature"]) == 0
    assert capsys.readouterr().out == ""


def test_the_shipped_features_are_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("WSBDD_ENV", raising=False)
    problems = lint_paths(["features"])
    assert not problems, "\n".join(p.render() for p in problems)


def test_the_canonical_vocabulary_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every built phrase is defined and unambiguous; every pending one is still undefined.

    Only step-definition problems count: the vocabulary is a phrase list, not a runnable
    feature (it uses clients and variables it never sets up).
    """
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("WSBDD_ENV", raising=False)
    pending = pending_steps()
    problems = [p for p in lint_paths([VOCABULARY]) if p.kind in STEP_PROBLEMS]
    lines = VOCABULARY.read_text().splitlines()
    unexpected = [p for p in problems if lines[p.line - 1].strip() not in pending]
    assert not unexpected, "\n".join(p.render() for p in unexpected)
    undefined = {lines[p.line - 1].strip() for p in problems if p.kind == "undefined step"}
    built = sorted(set(pending) - undefined)
    assert not built, (
        "these phrases are built now: remove them from tests/data/vocabulary_pending.txt:\n"
        + "\n".join(built)
    )
