"""wsbdd: Behave (Gherkin BDD) testing of real-time APIs, WebSockets first.

The public surface for users who write Python next to their features:

- :mod:`wsbdd.steps` — the step library (``from wsbdd.steps import *``)
- :mod:`wsbdd.hooks` — behave hooks (``from wsbdd.hooks import *``)
- :class:`ExpectationFailed`, :class:`WsbddError` — the exception tree
"""

from __future__ import annotations

from wsbdd.core.exceptions import ConfigError, ExpectationFailed, UsageError, WsbddError

__all__ = ["ConfigError", "ExpectationFailed", "UsageError", "WsbddError", "__version__"]

__version__ = "0.1.0"
