"""The requirement line that installs this very copy of wsbdd again (for ``wsbdd init``).

wsbdd is not on PyPI yet, so a new suite's ``requirements.txt`` names the copy
that created it, as pip recorded it (PEP 610 ``direct_url.json``):

* installed from a git repository: ``wsbdd @ git+<url>@<commit>``;
* from a folder (a clone, editable or not) or a wheel file: ``wsbdd @ file:///...``;
* from a package index (once published): ``wsbdd==<version>``.

Credentials in the URL (``https://user:token@host/...``) are left out; a
``${VARIABLE}`` in their place is kept, as pip expands it.
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from urllib.parse import urlsplit, urlunsplit

__all__ = ["requirement_from", "requirement_line"]


def requirement_from(direct_url: str | None, version: str) -> str:
    """The requirement for a distribution with this ``direct_url.json`` text and version."""
    if not direct_url:
        return f"wsbdd=={version}"
    try:
        info = json.loads(direct_url)
        url = str(info["url"])
    except (ValueError, KeyError, TypeError):
        return f"wsbdd=={version}"
    url = _without_password(url)
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        if url.startswith("file:///"):
            url = "file://localhost/" + url.removeprefix("file:///")  # pip wants a host here
        commit = vcs.get("commit_id")
        return f"wsbdd @ git+{url}" + (f"@{commit}" if commit else "")
    return f"wsbdd @ {url}"


def _without_password(url: str) -> str:
    """The URL without credentials: ``https://user:token@host/x`` -> ``https://host/x``.

    ``${VARIABLE}`` forms are kept (pip expands them); over ssh the user name
    stays (``ssh://git@host/x``), only a password goes.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, host = parts.netloc.rsplit("@", 1)
    variable = r"\$\{\w+\}"
    user, _, password = userinfo.partition(":")
    if re.fullmatch(variable, password) or (not password and re.fullmatch(variable, user)):
        return url
    keep = f"{user}@" if parts.scheme == "ssh" and user else ""
    return urlunsplit(parts._replace(netloc=keep + host))


def requirement_line() -> str:
    """How pip installs the wsbdd that is running now."""
    try:
        dist = metadata.distribution("wsbdd")
    except metadata.PackageNotFoundError:
        return "wsbdd"
    return requirement_from(dist.read_text("direct_url.json"), dist.version)
