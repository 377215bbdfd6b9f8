"""Authoring help for feature writers: the step catalogue, lint, "did you mean", ``wsbdd init``.

* :mod:`~wsbdd.authoring.catalogue` – every step phrase, grouped, with its meaning and examples;
* :mod:`~wsbdd.authoring.lint` – offline checks of feature files (``wsbdd lint``);
* :mod:`~wsbdd.authoring.suggest` – the closest known phrases for an unknown step;
* :mod:`~wsbdd.authoring.scaffold` – the files of a new suite (``wsbdd init``).
"""

from __future__ import annotations

__all__: list[str] = []
