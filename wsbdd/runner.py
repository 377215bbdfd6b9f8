"""behave's runner without its "USING RUNNER: ..." banner.

behave 1.3 prints ``USING RUNNER: behave.runner:Runner`` on every run and
offers no option to turn it off (behave/behave#1319). :func:`quiet_banner`
drops exactly that line from behave's own output; everything else behave
prints goes through unchanged. ``wsbdd run`` calls it before starting behave;
plain ``behave`` gets it through :class:`Runner`, named in ``behave.ini``
(``runner = wsbdd.runner:Runner``): behave builds the runner just before it
prints the banner.
"""

from __future__ import annotations

import builtins
import sys
from typing import Any

from behave.runner import Runner as _BehaveRunner

__all__ = ["BANNER", "Runner", "quiet_banner"]

BANNER = "USING RUNNER: "
"""How behave's banner line starts."""


def _quiet_print(*values: Any, **kwargs: Any) -> None:
    if values and isinstance(values[0], str) and values[0].startswith(BANNER):
        return
    builtins.print(*values, **kwargs)


def quiet_banner() -> None:
    """From now on, behave's ``main`` prints everything but its runner banner."""
    import behave.__main__

    modules = [behave.__main__]
    running = sys.modules.get("__main__")
    spec = getattr(running, "__spec__", None)
    if running is not None and getattr(spec, "name", None) == "behave.__main__":
        modules.append(running)  # python -m behave: behave's main runs as __main__
    for module in modules:
        setattr(module, "print", _quiet_print)  # noqa: B010 (shadows the builtin there)


class Runner(_BehaveRunner):  # type: ignore[misc]
    """behave's standard runner; building it silences the banner behave prints next."""

    def __init__(self, config: Any, **kwargs: Any) -> None:
        quiet_banner()
        super().__init__(config, **kwargs)
