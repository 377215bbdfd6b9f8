"""Before the first scenario the run checks what it can, says it once, and stops."""

from __future__ import annotations

import sys

from tests.features.harness import BehaveProject, BehaveRun, run_in

STOPPED = "wsbdd: the run stopped before the first scenario (mistake to fix above)."

CONNECTS = """
Feature: connects
  Scenario: one
    Given client A is connected as alice

  Scenario: two
    Given client A is connected as alice
"""


def _stopped_cleanly(run: BehaveRun, *lines: str) -> None:
    """Exit 1, exactly these lines together, no scenario run, none of behave's alarms."""
    assert run.returncode == 1, run.output
    out = run.output.splitlines()
    assert lines[0] in out, run.output
    start = out.index(lines[0])
    assert out[start : start + len(lines)] == list(lines), run.output
    assert "Took 0min 0.0" in run.output, run.output  # not "Took 29936398min"
    for noise in ("HOOK-ERROR", "ABORTED", "Traceback", "Scenario:"):
        assert noise not in run.output, run.output
    assert "0 scenarios passed, 0 failed, 0 skipped" in out, run.output


def test_an_unknown_profile_is_one_error_before_the_run(project: BehaveProject) -> None:
    project.feature(CONNECTS)
    env = (project.root / "environments" / "test.env").read_text()
    project.file("environments/test.env", env + "WSBDD_PROFILE=chatt\n")
    run = project.run()
    line = (
        "environments/test.env: WSBDD_PROFILE: unknown profile 'chatt': use a built-in "
        "(chat, chat-sse, graphql-transport-ws, socketio-chat) or the path of a .toml file"
    )
    _stopped_cleanly(run, line, STOPPED)


def test_a_missing_url_stops_without_aborted_by_user(project: BehaveProject) -> None:
    project.feature(CONNECTS)
    project.write_env("test", {"WSBDD_SERVER": "none"})
    run = project.run()
    line = (
        "environments/test.env: WSBDD_URL: is not set "
        "(expected a ws:// or wss:// URL of the server)"
    )
    _stopped_cleanly(run, line, STOPPED)


def test_a_missing_token_of_a_selected_scenario_is_named(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: tokens
          Scenario: carol
            Given client A is connected as carol
            And clients B and C are connected as alice and dave

          @later
          Scenario: erin is not selected
            Given client A is connected as erin

          Scenario: frank has a token table
            Given the tokens:
              | user  | token       |
              | frank | alice-token |
            And client A is connected as frank
        """
    )
    env = {
        k: v
        for k, v in (
            line.split("=", 1)
            for line in (project.root / "environments" / "test.env").read_text().splitlines()
        )
        if k != "WSBDD_TOKEN_CAROL"
    }
    project.write_env("test", env)
    run = project.run("--tags", "not @later")
    where = "in environments/test.env"
    _stopped_cleanly(
        run,
        f'features/test.feature:3: "as carol" needs a token: set WSBDD_TOKEN_CAROL {where} '
        'or add carol to a "Given the tokens:" table',
        f'features/test.feature:4: "as dave" needs a token: set WSBDD_TOKEN_DAVE {where} '
        'or add dave to a "Given the tokens:" table',
        "wsbdd: the run stopped before the first scenario (2 mistakes to fix above).",
    )


def test_a_missing_schema_file_is_named_before_the_run(project: BehaveProject) -> None:
    project.file("features/schemas/welcome.json", '{"type": "object"}\n')
    project.feature(
        """
        Feature: schemas
          Scenario: schema
            Given client A is connected as alice
            Then client A receives a message matching schema "welcom.json"
        """
    )
    run = project.run()
    _stopped_cleanly(
        run,
        "features/test.feature:4: schema file 'welcom.json' not found in features/schemas "
        "(the folder set by WSBDD_SCHEMAS); did you mean 'welcome.json'?",
        STOPPED,
    )


def test_wsbdd_run_stops_the_same_way(project: BehaveProject) -> None:
    project.feature(CONNECTS)
    env = (project.root / "environments" / "test.env").read_text()
    project.file("environments/test.env", env + "WSBDD_PROFILE=chatt\n")
    command = [sys.executable, "-m", "wsbdd", "run", "--env", "test", "--no-color"]
    run = run_in(project.root, command)
    assert run.returncode == 1, run.output
    assert "environments/test.env: WSBDD_PROFILE: unknown profile 'chatt'" in run.output
    assert STOPPED in run.output.splitlines()
    for noise in ("HOOK-ERROR", "ABORTED", "Traceback"):
        assert noise not in run.output, run.output


def test_a_good_setup_runs_every_scenario(project: BehaveProject) -> None:
    project.feature(CONNECTS)
    run = project.run()
    assert run.passed, run.output
    assert "2 scenarios passed, 0 failed, 0 skipped" in run.output, run.output


def test_wsbdd_run_says_a_doc_string_indentation_mistake_in_plain_words(
    project: BehaveProject,
) -> None:
    project.feature(
        '''
        Feature: indent
          Scenario: s
            Given client A is connected as alice
            When client A sends:
              """
              {"type": "chat",
            "text": "hi"}
              """
        '''
    )
    command = [sys.executable, "-m", "wsbdd", "run", "--env", "test", "--no-color"]
    run = run_in(project.root, command)
    assert run.returncode == 1, run.output
    assert run.output.splitlines() == [
        "features/test.feature:7: this line of the doc string opened at line 5 starts left of "
        'its opening """ (column 7): indent every line of a doc string at least as far as its '
        "quotes",
        STOPPED,
    ]


def test_a_profile_named_in_a_step_is_checked_before_the_run(project: BehaveProject) -> None:
    project.feature(
        """
        Feature: profile
          Scenario: s
            Given the API profile "chatt"
            And client A is connected as alice
        """
    )
    run = project.run()
    _stopped_cleanly(
        run,
        "features/test.feature:3: unknown profile 'chatt': use a built-in "
        "(chat, chat-sse, graphql-transport-ws, socketio-chat) or the path of a .toml file",
        STOPPED,
    )
