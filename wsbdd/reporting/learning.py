"""What the run learns as secrets, before anything is shown: tables, outlines, the wire.

The run's :class:`~wsbdd.core.redaction.Redactor` hides known secrets; these
helpers make more of them known, early enough:

* :func:`learn_features` (in ``before_all``, for every scenario of the run)
  and :func:`learn_scenario` (when a scenario starts, before its steps'
  tables are attached or printed): the tokens of ``Given the tokens:``
  tables, the values of ``connects with headers:`` rows naming a sensitive
  header (X-Api-Key, Cookie, Authorization...), the Scenario Outline example
  values under a sensitive heading (``<token>``, ``<password>``) and the
  token of a ``connects with token "..."`` step;
* :class:`WireLearner` (after every step, before its result is printed): the
  values under sensitive keys in every message received so far (a token the
  server issued as ``access_token``), in the step's own text (what is sent)
  and in the scenario's variables with sensitive names.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from wsbdd.core.redaction import Redactor, is_sensitive_name

if TYPE_CHECKING:
    from wsbdd.session.scenario import ScenarioSession

__all__ = ["WireLearner", "learn_features", "learn_scenario", "learn_step", "masked_parameters"]

_WITH_TOKEN = re.compile(r'\bwith token "([^"]+)"')
"""The connection steps' own phrase for a literal token (``connects with token "..."``)."""


def learn_step(redactor: Redactor, step: Any) -> None:
    """Learn the secrets of one step: its table and the pairs in its text and doc string."""
    table = getattr(step, "table", None)
    if table is not None:
        redactor.learn_table(list(table.headings), [list(row.cells) for row in table.rows])
    name = getattr(step, "name", None)
    if isinstance(name, str):
        redactor.add(*(t for t in _WITH_TOKEN.findall(name) if "${" not in t))
    for text in (name, getattr(step, "text", None)):
        if isinstance(text, str):
            redactor.text(text)  # the rules learn the values of sensitive pairs


def learn_scenario(redactor: Redactor, scenario: Any) -> None:
    """Learn the secrets of every step of ``scenario`` and of its outline row."""
    row = getattr(scenario, "_row", None)
    if row is not None:
        redactor.learn_table(list(row.headings), [list(row.cells)])
    for step in getattr(scenario, "all_steps", None) or getattr(scenario, "steps", []):
        learn_step(redactor, step)


def learn_features(redactor: Redactor, features: Any) -> None:
    """Learn the secrets of every scenario of ``features``, before anything runs.

    behave prints a step and its table before the step runs: a table's
    secrets must be known from the start.
    """
    for feature in features or ():
        for scenario in feature.walk_scenarios():
            learn_scenario(redactor, scenario)


def masked_parameters(parameters: Any) -> None:
    """Hide in place the values of result parameters with sensitive names (outline rows)."""
    from wsbdd.core.redaction import MASK

    for parameter in parameters or ():
        if is_sensitive_name(str(getattr(parameter, "name", ""))):
            parameter.value = MASK


class WireLearner:
    """Learns, step after step, the secrets a scenario's clients received.

    The loop puts every message in the run's arrival feed as it arrives
    (:meth:`wsbdd.runtime.Clients.arrivals`); after each step the learner
    drains it on the behave thread, so learning costs no hop to the loop.
    """

    def __init__(self, session: ScenarioSession) -> None:
        self.session = session
        self._feed = session.clients.arrivals()
        self._feed.clear()  # what a previous scenario's clients left is not this one's
        self._messages = 0
        self._bytes = 0

    def _new_payloads(self) -> list[Any]:
        found: list[Any] = []
        feed = self._feed
        while feed:
            try:
                message = feed.popleft()
            except IndexError:  # pragma: no cover - one reader: only the loop appends
                break
            self._messages += 1
            self._bytes += len(message.data)
            if message.is_json:
                found.append(message.payload)
        return found

    @property
    def received(self) -> tuple[int, int]:
        """Messages and bytes (characters) the scenario's clients had received at the last step."""
        return self._messages, self._bytes

    def after_step(self, step: Any) -> None:
        """Learn from the step's text, the variables and every message received since."""
        redactor = self.session.run.redactor
        learn_step(redactor, step)
        redactor.learn(self.session.variables.scenario)
        redactor.learn(self._new_payloads())
