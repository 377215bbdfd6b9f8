"""The scenario's API profile: the one in use, and the error when a step needs one."""

from __future__ import annotations

from collections.abc import Callable

from wsbdd.core.exceptions import ProfileError, UsageError
from wsbdd.core.profiles import Profile

__all__ = ["ProfileChoice"]


class ProfileChoice:
    """The API profile of a scenario (``WSBDD_PROFILE``, or ``Given the API profile``)."""

    def __init__(
        self, load: Callable[[str], Profile], default: str | None, source: str | None
    ) -> None:
        self._load = load
        self.current: Profile | None = None
        if default:
            try:
                self.current = load(default)
            except ProfileError as exc:
                if exc.file is None:
                    raise ProfileError(str(exc), file=source, key="WSBDD_PROFILE") from None
                raise

    def use(self, name: str) -> None:
        """Use this profile: a built-in name or a TOML file path."""
        self.current = self._load(name)

    @property
    def required(self) -> Profile:
        """The profile, for a step that cannot work without one."""
        if self.current is None:
            raise UsageError(
                "this step needs an API profile: add 'Given the API profile \"chat\"' or set "
                "WSBDD_PROFILE in the environment file"
            )
        return self.current
