"""The variables a profile template is rendered with, for one client (and channel).

Scenario variables, overlaid with the client's identity (``${user}``), the
channel's (``${channel}``, its wildcards, its ``${operation_id}``, the
profile's declared channel variables, themselves templates) and the step's own
(``${text}``, ``${mark}``, ``${token}``, ...).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Any

from wsbdd.core.exceptions import ProfileError, UnknownVariable
from wsbdd.core.matching import Variables, render_json
from wsbdd.session.profile_choice import ProfileChoice
from wsbdd.session.roster import Roster

__all__ = ["TemplateVariables"]


class TemplateVariables:
    """Builds the :class:`Variables` of a client's profile templates."""

    def __init__(self, variables: Variables, roster: Roster, profiles: ProfileChoice) -> None:
        self._variables = variables
        self._roster = roster
        self._profiles = profiles
        self._operation_ids: dict[tuple[str, str], str] = {}
        self._counter = itertools.count(1)

    def operation_id(self, name: str, channel: str) -> str:
        """The id of client ``name``'s subscription to ``channel`` (``room:lobby#1``)."""
        key = (name, channel)
        if key not in self._operation_ids:
            self._operation_ids[key] = f"{channel}#{next(self._counter)}"
        return self._operation_ids[key]

    def new_operation(self, name: str, channel: str) -> None:
        """A resubscription: the next :meth:`operation_id` is a fresh one."""
        self._operation_ids.pop((name, channel), None)

    def __call__(self, name: str | None, channel: str | None = None, **extra: Any) -> Variables:
        """Scenario variables overlaid with the channel's and the step's own.

        ``name`` is the client the values are for (its identity is ``${user}``,
        its subscription has an ``${operation_id}``); ``None`` for a crowd, whose
        caller passes those in ``extra``.
        """
        values, declared = self.context(name, channel)
        return self.complete(values, declared, channel, extra)

    def context(
        self, name: str | None, channel: str | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The values that do not depend on a step's extras, and the channel's templates."""
        values: dict[str, Any] = dict(self._variables.scenario)
        if name is not None:
            identity = self._roster.identity_of(name)
            if identity is not None:
                values.setdefault("user", identity)
        declared: dict[str, Any] = {}
        if channel is not None:
            profile = self._profiles.required
            values["channel"] = channel
            if name is not None:
                values["operation_id"] = self.operation_id(name, channel)
            values.update(profile.wildcards(channel))
            declared = profile.channel_variables(channel)
        return values, declared

    def complete(
        self,
        context: Mapping[str, Any],
        declared: Mapping[str, Any],
        channel: str | None,
        extra: Mapping[str, Any],
    ) -> Variables:
        """:meth:`context`'s values with the channel's variables rendered, then ``extra``."""
        environ = self._variables.environ
        values = dict(context)
        if channel is not None and declared:
            base = Variables({**values, **extra}, environ)
            for key, value in declared.items():
                # A channel's variables are templates too ("room = \"${wildcard}\"").
                values[key] = self._render_variable(channel, key, value, base)
        values.update(extra)
        return Variables(values, environ)

    def _render_variable(self, channel: str, key: str, value: Any, base: Variables) -> Any:
        try:
            return render_json(json.dumps(value, ensure_ascii=False), base)
        except UnknownVariable as exc:
            profile = self._profiles.required
            spec = profile.channel(channel)
            where = (
                f'channels."{spec.pattern}".variables.{key}'
                if spec is not None and key in spec.variables
                else f"variables.{key}"
            )
            raise ProfileError(
                f"uses ${{{exc.name}}}, which is not set for channel {channel} (known here: "
                f"channel, wildcard, operation_id, user and scenario variables)",
                file=profile.source,
                key=where,
            ) from None
