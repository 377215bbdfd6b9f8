"""The report's *Environment* section: ``environment.properties`` in the results.

Allure shows the key/value pairs of ``environment.properties`` (a Java
properties file in the results folder) on the report's overview page.
:func:`write_environment` writes, at the end of the run: the environment's
name and file, the target URLs (redacted), how the server was started, the
API profile and the versions of wsbdd, behave, allure-behave, websockets and
Python.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from wsbdd.config import Settings
from wsbdd.core.redaction import Redactor
from wsbdd.runtime.loop import new_event_loop

__all__ = [
    "PROPERTIES_FILE",
    "allure_results_dirs",
    "environment_properties",
    "render_properties",
    "write_environment",
]

PROPERTIES_FILE = "environment.properties"
_PACKAGES = ("wsbdd", "behave", "allure-behave", "websockets")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _event_loop_kind(settings: Settings) -> str:
    """The kind of loop the run's clients use: ``asyncio`` or ``uvloop``."""
    loop = new_event_loop(settings.values)
    loop.close()
    return type(loop).__module__.split(".")[0]


def environment_properties(settings: Settings, redactor: Redactor) -> dict[str, str]:
    """What the run targeted and with which versions (URLs redacted)."""
    props = {
        "environment": settings.env_name,
        "environment.file": str(settings.env_file) if settings.env_file else "(none)",
        "target.url": redactor.url(settings.ws_url) if settings.ws_url else "(none)",
        "target.http_url": redactor.url(settings.http_url) if settings.http_url else "(none)",
        "server": settings.server_mode,
        "profile": settings.profile or "(none)",
        "event_loop": _event_loop_kind(settings),
    }
    for package in _PACKAGES:
        props[f"version.{package}"] = _version(package)
    props["version.python"] = platform.python_version()
    return props


def _escape(text: str, *, key: bool) -> str:
    out = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    if key:
        for char in (" ", "=", ":", "#", "!"):
            out = out.replace(char, "\\" + char)
    return out


def render_properties(props: Mapping[str, str]) -> str:
    """A Java properties file, one ``key=value`` per line."""
    return "".join(f"{_escape(k, key=True)}={_escape(v, key=False)}\n" for k, v in props.items())


def allure_results_dirs(config: Any) -> list[Path]:
    """The folders behave's Allure formatters write to (``-f ...Allure... -o DIR``)."""
    formats = list(getattr(config, "format", None) or [])
    outputs = list(getattr(config, "outputs", None) or [])
    found: list[Path] = []
    for index, name in enumerate(formats):
        if "allure" not in str(name).lower() or index >= len(outputs):
            continue
        target = getattr(outputs[index], "name", None)
        if target and target != "-":
            found.append(Path(target))
    return found


def write_environment(config: Any, settings: Settings, redactor: Redactor) -> list[Path]:
    """Write ``environment.properties`` into every Allure results folder; the files written."""
    text = render_properties(environment_properties(settings, redactor))
    written: list[Path] = []
    for folder in allure_results_dirs(config):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / PROPERTIES_FILE
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
