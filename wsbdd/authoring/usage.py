"""What the steps of a feature use: identities, schemas, profiles, clients.

Shared by ``wsbdd lint`` (offline) and the run's preflight (before the first
scenario): both ask the same questions of the same steps, so they give the
same answers. Pure: a step is anything with ``line`` and ``table``, and its
matched arguments are a plain mapping.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wsbdd.core.exceptions import WsbddError
from wsbdd.core.profiles import load_profile

__all__ = [
    "CONNECTING_STEPS",
    "STREAM_STEPS",
    "ClientUse",
    "Use",
    "client_uses",
    "identities_of",
    "step_arguments",
    "subscribes_by_stream",
    "token_users",
    "uses_of",
]

CONNECTING_STEPS = frozenset({"client_connects", "client_is_connected", "clients_are_connected"})
STREAM_STEPS = frozenset({"is_subscribed", "subscribes", "authenticates"})
"""Under an SSE profile these introduce a client: subscribing opens its stream."""


@functools.lru_cache(maxsize=32)
def subscribes_by_stream(profile: str | None) -> bool:
    """Whether the profile named ``profile`` subscribes by opening an event stream (SSE)."""
    if not profile or "${" in profile:
        return False
    try:
        return load_profile(profile).stream is not None
    except WsbddError:
        return False  # an unknown or broken profile is reported by its own check
"""Library steps that bring a named client into the scenario."""

_NAMES = re.compile(r", | and ")
_CLIENT_PHRASE = "client (?P<name>"


@dataclass(frozen=True)
class Use:
    """One thing a step needs before it can run: an identity's token, a schema, a profile."""

    kind: str  # "identity", "schema" or "profile"
    name: str
    line: int


def step_arguments(match: Any) -> dict[str, str]:
    """The named arguments of a behave match (``None`` values left out)."""
    return {
        str(arg.name): str(arg.value)
        for arg in getattr(match, "arguments", None) or ()
        if arg.name is not None and arg.value is not None
    }


def identities_of(arguments: Mapping[str, str]) -> list[str]:
    """The identities a step acts as ("as alice", "as alice and bob")."""
    found: list[str] = []
    if arguments.get("identity"):
        found.append(arguments["identity"])
    if arguments.get("identities"):
        found += [n.strip() for n in _NAMES.split(arguments["identities"]) if n.strip()]
    return [name for name in found if "${" not in name and "<" not in name]


def uses_of(line: int, arguments: Mapping[str, str]) -> list[Use]:
    """Everything one step names that must exist before the run."""
    uses = [Use("identity", name, line) for name in identities_of(arguments)]
    for kind in ("schema", "profile"):
        name = arguments.get(kind)
        if name and "${" not in name:
            uses.append(Use(kind, name, line))
    return uses


def token_users(steps: Iterable[Any]) -> set[str]:
    """The users a ``Given the tokens:`` table gives a token (lower case)."""
    users: set[str] = set()
    for step in steps:
        table = getattr(step, "table", None)
        if table is None or not str(getattr(step, "name", "")).startswith("the tokens"):
            continue
        headings = [h.strip().lower() for h in table.headings]
        if "user" in headings:
            column = headings.index("user")
            users |= {str(row[column]).strip().lower() for row in table.rows}
    return users


@dataclass(frozen=True)
class ClientUse:
    """A step that acts on a named client before any step connected it."""

    name: str
    line: int
    step_text: str


def client_uses(
    steps: Iterable[tuple[Any, str, str, Mapping[str, str]]], *, profile: str | None = None
) -> list[ClientUse]:
    """Clients used before they connect, in one scenario's steps (background first).

    Each item is ``(step, function name, pattern, arguments)`` of a library
    step; only phrases about one client (``client NAME ...``) are checked.
    ``profile`` is the environment's (``WSBDD_PROFILE``): under an SSE profile
    subscribing opens a client's stream, and authenticating names a client.
    """
    connected: set[str] = set()
    early: list[ClientUse] = []
    streams = subscribes_by_stream(profile)
    for step, function, pattern, arguments in steps:
        if function == "api_profile":
            streams = subscribes_by_stream(arguments.get("profile"))
        if function in CONNECTING_STEPS or (streams and function in STREAM_STEPS):
            names = arguments.get("names")
            connected |= set(_NAMES.split(names)) if names else {arguments.get("name", "")}
            continue
        if function == "all_disconnect":
            continue
        name = arguments.get("name")
        if not name or _CLIENT_PHRASE not in pattern or "${" in name or "<" in name:
            continue
        if name not in connected:
            early.append(ClientUse(name, int(step.line), f"{step.keyword} {step.name}"))
            connected.add(name)  # one report per client
    return early
