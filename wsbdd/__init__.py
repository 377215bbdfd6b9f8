"""wsbdd: Behave (Gherkin BDD) testing of real-time APIs, WebSockets first.

The public surface for users who write Python next to their features:

- :mod:`wsbdd.steps` — the step library (``from wsbdd.steps import *``)
- :mod:`wsbdd.hooks` — behave hooks (``from wsbdd.hooks import *``)
- what a custom step needs, importable from ``wsbdd`` itself (httpx-style)::

      import wsbdd
      from behave import then

      @then(rf"client {wsbdd.CLIENT} has a fresh session id")
      def fresh_session(context, name):
          s = wsbdd.session_of(context)          # the scenario's ScenarioSession
          message = s.messages.last_message(name)
          if not wsbdd.matches({"sid": "{{uuid}}"}, message.payload):
              raise wsbdd.ExpectationFailed(f"client {name}: no session id in {message.display()}")

  the session (:class:`ScenarioSession`, :func:`session_of`, :class:`ConnectSpec`),
  the exception tree (:class:`ExpectationFailed`, :class:`WsbddError` and its
  subclasses), matching (:func:`match`, :func:`matches`, :func:`select`,
  :func:`substitute`, :class:`Variables`, ...), the records (:class:`Message`,
  :class:`CloseInfo`) and the phrase fragments (``CLIENT``, ``WITHIN``, ``DURATION``).

Only the exceptions are imported eagerly; the rest is imported on first use,
so ``import wsbdd`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wsbdd.core.exceptions import (
    ConfigError,
    ContractError,
    ExpectationFailed,
    ProfileError,
    SchemaError,
    ServerControlError,
    UnknownClient,
    UnknownVariable,
    UsageError,
    WsbddError,
)

if TYPE_CHECKING:
    from wsbdd.core.matching import (
        MISSING,
        PathNotFound,
        Variables,
        describe_expected,
        match,
        matches,
        render_json,
        select,
        substitute,
    )
    from wsbdd.core.mismatch import Mismatch
    from wsbdd.core.records import CloseInfo, Message
    from wsbdd.core.timing import parse_duration
    from wsbdd.session.roster import ConnectSpec
    from wsbdd.session.scenario import ScenarioSession
    from wsbdd.steps._common import CLIENT, DURATION, WITHIN
    from wsbdd.steps._common import session as session_of

_LAZY: dict[str, tuple[str, str]] = {
    "MISSING": ("wsbdd.core.matching", "MISSING"),
    "PathNotFound": ("wsbdd.core.matching", "PathNotFound"),
    "Variables": ("wsbdd.core.matching", "Variables"),
    "describe_expected": ("wsbdd.core.matching", "describe_expected"),
    "match": ("wsbdd.core.matching", "match"),
    "matches": ("wsbdd.core.matching", "matches"),
    "render_json": ("wsbdd.core.matching", "render_json"),
    "select": ("wsbdd.core.matching", "select"),
    "substitute": ("wsbdd.core.matching", "substitute"),
    "Mismatch": ("wsbdd.core.mismatch", "Mismatch"),
    "CloseInfo": ("wsbdd.core.records", "CloseInfo"),
    "Message": ("wsbdd.core.records", "Message"),
    "parse_duration": ("wsbdd.core.timing", "parse_duration"),
    "ConnectSpec": ("wsbdd.session.roster", "ConnectSpec"),
    "ScenarioSession": ("wsbdd.session.scenario", "ScenarioSession"),
    "CLIENT": ("wsbdd.steps._common", "CLIENT"),
    "DURATION": ("wsbdd.steps._common", "DURATION"),
    "WITHIN": ("wsbdd.steps._common", "WITHIN"),
    "session_of": ("wsbdd.steps._common", "session"),
}

__all__ = [
    "CLIENT",
    "DURATION",
    "MISSING",
    "WITHIN",
    "CloseInfo",
    "ConfigError",
    "ConnectSpec",
    "ContractError",
    "ExpectationFailed",
    "Message",
    "Mismatch",
    "PathNotFound",
    "ProfileError",
    "ScenarioSession",
    "SchemaError",
    "ServerControlError",
    "UnknownClient",
    "UnknownVariable",
    "UsageError",
    "Variables",
    "WsbddError",
    "__version__",
    "describe_expected",
    "match",
    "matches",
    "parse_duration",
    "render_json",
    "select",
    "session_of",
    "substitute",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """The lazily imported exports (see ``_LAZY``)."""
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'wsbdd' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Every export, the lazy ones included."""
    return sorted(set(globals()) | set(_LAZY))
