"""Steps: environment, variables and tokens."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.core.timing import parse_duration
from wsbdd.steps._common import DURATION, doc_string, literal, session, table_rows

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


@step(r"the server is running")
def server_is_running(context: Any) -> None:
    """The target server answers its health check (the embedded one is started for you)."""
    s = session(context)
    s.server.assert_running(s.timing.default_wait())


@step(rf"the default timeout is (?P<value>{DURATION})")
def default_timeout(context: Any, value: str) -> None:
    """Waits without "within" use this timeout (default: WSBDD_TIMEOUT, else 2 s)."""
    session(context).set_default_timeout(parse_duration(value))


@step(r'the variable "(?P<variable>[^"]+)" is "(?P<value>.*)"')
def variable_is_text(context: Any, variable: str, value: str) -> None:
    """Sets ${variable} to a text, for use in later steps ("room" is "room:lobby")."""
    s = session(context)
    s.set_variable(variable, s.text(value))


@step(r'the variable "(?P<variable>[^"]+)" is (?P<value>[^"].*)')
def variable_is_json(context: Any, variable: str, value: str) -> None:
    """Sets ${variable} to a JSON value: a number, true/false, null, an object or an array."""
    s = session(context)
    s.set_variable(variable, literal(s.text(value)))


@step(r"the variable \"(?P<variable>[^\"]+)\" is:")
def variable_is_doc(context: Any, variable: str) -> None:
    """Sets ${variable} to the JSON value in the doc string below."""
    s = session(context)
    s.set_variable(variable, s.json(doc_string(context, "the variable ... is:")))


@step(r"the tokens:")
def the_tokens(context: Any) -> None:
    """Maps identities to tokens for "as alice" (table columns: user, token)."""
    session(context).set_tokens(table_rows(context, ("user", "token"), "the tokens:"))


use_step_matcher("parse")
