"""The one exception tree of wsbdd.

Two families, because behave reports them differently and testers act on them
differently::

    AssertionError
    └── ExpectationFailed        the system under test broke an expectation
                                 (behave: *failed*). The message names the
                                 client, what was expected, how long it
                                 waited and what arrived.

    Exception
    └── WsbddError               the suite or its setup is wrong (behave:
        │                        *error*). The message says what to fix.
        ├── ConfigError          a bad or missing environment key / file
        │   ├── ProfileError     a mistake in an API profile file
        │   └── ContractError    a mistake in an AsyncAPI contract file
        ├── UsageError           a step used in a way that cannot work
        │   ├── UnknownClient    a step names a client never connected
        │   └── UnknownVariable  ``${name}`` with no such variable
        ├── SchemaError          a schema file missing or invalid
        └── ServerControlError   the server cannot be started/stopped
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsbdd.core.mismatch import Mismatch
    from wsbdd.core.records import Message

__all__ = [
    "ConfigError",
    "ContractError",
    "ExpectationFailed",
    "ProfileError",
    "SchemaError",
    "ServerControlError",
    "UnknownClient",
    "UnknownVariable",
    "UsageError",
    "WsbddError",
]


class ExpectationFailed(AssertionError):
    """A broken expectation about the system under test (a test *failure*).

    ``str(err)`` is the whole explanation. Where a message was expected, the
    optional fields say it in structured form for the report's failure
    attachment: ``client`` (its name), ``expected`` (the expected JSON; ``None``
    when not given), ``closest`` (the received message nearest to it) and
    ``diff`` (the differences between the two).
    """

    def __init__(
        self,
        message: str = "",
        *,
        client: str | None = None,
        expected: Any = None,
        closest: Message | None = None,
        diff: Sequence[Mismatch] = (),
    ) -> None:
        super().__init__(message)
        self.client = client
        self.expected = expected
        self.closest = closest
        self.diff: tuple[Mismatch, ...] = tuple(diff)


class WsbddError(Exception):
    """Base class of every configuration or usage mistake (a test *error*)."""


class ConfigError(WsbddError):
    """A missing or invalid configuration key, naming the file and the key.

    ``str(err)`` reads like ``environments/staging.env: WSBDD_URL is not set
    (expected a ws:// or wss:// URL)``.
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file = file
        self.key = key
        where = ": ".join(part for part in (file, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class ProfileError(ConfigError):
    """A mistake in an API profile: the file, the key and what was expected."""


class ContractError(ConfigError):
    """An AsyncAPI document that cannot be read, or that says something wsbdd cannot check."""


class UsageError(WsbddError):
    """A step that cannot work as written (for example, a client never connected)."""


class UnknownClient(UsageError):
    """A step names a client that has not been connected in this scenario."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        listed = ", ".join(known) if known else "none yet"
        super().__init__(
            f"client {name} is not connected in this scenario (clients: {listed}); "
            f'add a step like "Given client {name} connects" first'
        )


class UnknownVariable(UsageError):
    """``${name}`` refers to no scenario variable, environment variable or generator."""

    def __init__(self, name: str, known: list[str] | None = None) -> None:
        self.name = name
        hint = f" (known: {', '.join(sorted(known))})" if known else ""
        super().__init__(
            f"unknown variable ${{{name}}}{hint}: set it in an earlier step "
            f'(Given the variable "{name}" is "...") or in the environment file'
        )


class SchemaError(WsbddError):
    """A JSON Schema file that does not exist or is not a valid schema."""


class ServerControlError(WsbddError):
    """The server under test cannot be started, stopped or inspected as asked."""
