"""``wsbdd init``: write a new suite's folders and files from the templates beside this module.

The templates live in ``templates/`` as ``<name>.tmpl`` (so no tool mistakes
them for code of the package); ``gitignore.tmpl`` becomes ``.gitignore``;
``@WSBDD_REQUIREMENT@`` becomes the line that installs this copy of wsbdd
(:mod:`wsbdd.authoring.requirement`). Files that already exist are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path, PurePosixPath

from .requirement import requirement_line

__all__ = ["Written", "scaffold", "template_files", "write_new_files"]

_RENAMES = {"gitignore": ".gitignore"}
_REQUIREMENT = "@WSBDD_REQUIREMENT@"


@dataclass(frozen=True)
class Written:
    """One file of the new suite and whether init created it or found it there."""

    path: Path
    created: bool


def template_files() -> dict[PurePosixPath, str]:
    """Relative path in the new suite -> text, for every template."""
    root = resources.files("wsbdd.authoring").joinpath("templates")
    found: dict[PurePosixPath, str] = {}

    def walk(node: Traversable, prefix: PurePosixPath) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                walk(child, prefix / child.name)
            elif child.name.endswith(".tmpl"):
                name = child.name.removesuffix(".tmpl")
                found[prefix / _RENAMES.get(name, name)] = child.read_text(encoding="utf-8")

    walk(root, PurePosixPath())
    return found


def scaffold(target: Path) -> list[Written]:
    """Write every template under ``target`` (created if needed); existing files are kept."""
    requirement = requirement_line()
    return write_new_files(
        {
            target.joinpath(*relative.parts): text.replace(_REQUIREMENT, requirement)
            for relative, text in template_files().items()
        }
    )


def write_new_files(files: Mapping[Path, str]) -> list[Written]:
    """Write each file that does not exist yet (folders created); existing ones are kept."""
    written: list[Written] = []
    for path, text in files.items():
        if path.exists():
            written.append(Written(path, created=False))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(Written(path, created=True))
    return written
