"""The behave options of one worker: the user's, with file outputs made per worker.

Everything the user gives behave passes to every worker unchanged (tags,
``-D``, formats, ``--name`` ...), except where a worker would write a file
another worker also writes: ``-o FILE`` becomes a file in the worker's own
folder (merged afterwards by :func:`wsbdd.parallel.merge.merge_outputs`) and
``--junit-directory`` a folder of its own (its files are copied back, a
name taken twice getting a ``.wN`` suffix); and on a terminal, colours are
asked for, since a worker's own output is a pipe.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["WorkerArguments", "collect_junit", "with_colour", "worker_arguments"]

_OUT = ("-o", "--outfile")
_FORMAT = ("-f", "--format")
_JUNIT_DIR = "--junit-directory"
DEFAULT_JUNIT_DIR = "reports"


@dataclass
class WorkerArguments:
    """A worker's behave options and where its file outputs really belong."""

    args: list[str]
    outputs: dict[str, Path] = field(default_factory=dict)  # user's file -> this worker's part
    formats: dict[str, str] = field(default_factory=dict)  # user's file -> its format
    junit: tuple[Path, Path] | None = None  # (this worker's folder, the user's folder)


def _option(args: Sequence[str], index: int, names: Sequence[str]) -> tuple[str, int] | None:
    """The value of option ``names`` at ``args[index]`` and how many tokens it spans."""
    token = args[index]
    for name in names:
        if token == name and index + 1 < len(args):
            return args[index + 1], 2
        if name.startswith("--") and token.startswith(name + "="):
            return token[len(name) + 1 :], 1
        if not name.startswith("--") and token.startswith(name) and len(token) > len(name):
            return token[len(name) :], 1
    return None


def worker_arguments(args: Sequence[str], folder: Path) -> WorkerArguments:
    """``args`` for the worker whose files go under ``folder``."""
    out: list[str] = []
    result = WorkerArguments(out)
    formats: list[str] = []
    outfiles = 0
    junit = "--junit" in args
    junit_dir = DEFAULT_JUNIT_DIR
    index = 0
    while index < len(args):
        found_format = _option(args, index, _FORMAT)
        found_out = _option(args, index, _OUT)
        found_junit = _option(args, index, (_JUNIT_DIR,))
        if found_format is not None:
            formats.append(found_format[0])
            out.extend(args[index : index + found_format[1]])
            index += found_format[1]
        elif found_out is not None:
            target, span = found_out
            if target != "-":
                part = folder / "outputs" / f"{outfiles}-{Path(target).name}"
                result.outputs[target] = part
                if outfiles < len(formats):
                    result.formats[target] = formats[outfiles]
                target = str(part)
            outfiles += 1
            out.extend(["-o", target])
            index += span
        elif found_junit is not None:
            junit_dir = found_junit[0]
            index += found_junit[1]
        else:
            out.append(args[index])
            index += 1
    if junit:
        mine = folder / "junit"
        out.extend([_JUNIT_DIR, str(mine)])
        result.junit = (mine, Path(junit_dir))
    return result


def with_colour(args: Sequence[str], terminal: bool) -> list[str]:
    """``args`` plus ``--color=on`` when the run's console is a terminal.

    A worker's output is a pipe, so behave would print it without colours;
    the user's own ``--color``/``--no-color`` wins.
    """
    chosen = any(a in ("-C", "--no-color") or a.startswith("--color") for a in args)
    return ["--color=on", *args] if terminal and not chosen else list(args)


def collect_junit(parts: Sequence[tuple[Path, Path]]) -> None:
    """Copy each worker's JUnit files into the user's folder (``.wN`` when a name is taken)."""
    taken: set[str] = set()
    for number, (mine, target) in enumerate(parts, start=1):
        if not mine.is_dir():
            continue
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(mine.glob("*.xml")):
            name = path.name
            if name in taken:
                name = f"{path.stem}.w{number}{path.suffix}"
            taken.add(name)
            shutil.copyfile(path, target / name)
