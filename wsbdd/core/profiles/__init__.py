"""API profiles: how one real-time API spells auth, subscribe, publish, ping and resume.

``Given the API profile "chat"`` (or ``WSBDD_PROFILE``) picks one; see
docs/profiles.md for the format.
"""

from __future__ import annotations

from wsbdd.core.profiles.loader import BUILTIN_PROFILES, builtin_names, load_profile, parse_profile
from wsbdd.core.profiles.model import (
    DEFAULT_SETTLE,
    AuthSpec,
    ChannelSpec,
    ConnectionSpec,
    DeliverySpec,
    Exchange,
    HttpRoute,
    Profile,
    Template,
    put_path,
)

__all__ = [
    "BUILTIN_PROFILES",
    "DEFAULT_SETTLE",
    "AuthSpec",
    "ChannelSpec",
    "ConnectionSpec",
    "DeliverySpec",
    "Exchange",
    "HttpRoute",
    "Profile",
    "Template",
    "builtin_names",
    "load_profile",
    "parse_profile",
    "put_path",
]
