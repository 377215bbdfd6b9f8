"""Check feature files without connecting anywhere (``wsbdd lint``).

What it reports, each as ``path:line: kind: message``:

* ``syntax``: the file is not valid Gherkin;
* ``doc string``: a doc-string line left of its opening quotes (behave's
  "BAD-INDENT"), closing quotes with extra characters or of the wrong kind,
  a doc string never closed (see :mod:`wsbdd.authoring.doc_strings`);
* ``undefined step`` / ``ambiguous step``: no step definition, or more than
  one, matches a step (with the closest known phrases: "did you mean");
* ``unknown variable``: ``${name}`` is set by no step of the feature
  (``the variable "name" is ...``, ``I save ... as "name"``), is not a key of
  the chosen environment file and is not a generator (``uuid``, ``now``,
  ``timestamp``; ``i`` in repeated sends);
* ``unknown client``: a step acts on a client before any step of its
  scenario (background included) connects it;
* ``missing token``: "as carol" with no ``WSBDD_TOKEN_CAROL`` in the
  environment file and no ``Given the tokens:`` table in the feature;
* ``missing schema``: a schema file that is not under ``WSBDD_SCHEMAS``;
* ``invalid JSON``: inline JSON or a doc string that is not valid JSON; in
  the in-order and any-order doc strings, a line holding more than one value;
* ``invalid hex``: a line of a binary-messages doc string that is not one
  frame in hexadecimal;
* ``unknown profile``: neither a built-in API profile nor an existing file
  (in a step, or ``WSBDD_PROFILE`` in the environment file);
* ``bad contract`` / ``no contract`` / ``unknown message``: an AsyncAPI
  contract that does not load, a contract message named with no contract, a
  message name the contract does not have;
* ``environment``: the environment file cannot be read or is invalid
  (``WSBDD_ASYNCAPI`` too).

The environment is chosen as for ``wsbdd run`` (``--env``, ``WSBDD_ENV``,
default ``local``) and only read: no server is started.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from wsbdd.authoring.catalogue import StepMatcher, registry_steps, step_registry
from wsbdd.authoring.contract_lint import ContractLint
from wsbdd.authoring.doc_strings import doc_string_mistakes
from wsbdd.authoring.problems import LintTarget, Problem
from wsbdd.authoring.step_checks import FeatureLinter, all_steps
from wsbdd.authoring.suggest import Phrases
from wsbdd.config import Settings, choose_environment, load_settings
from wsbdd.core.contracts import SETTING as CONTRACT_SETTING
from wsbdd.core.exceptions import ConfigError, WsbddError
from wsbdd.core.profiles import load_profile

__all__ = [
    "LintReport",
    "LintTarget",
    "Problem",
    "feature_files",
    "lint",
    "lint_file",
    "lint_paths",
    "load_target",
]


@dataclass(frozen=True)
class LintReport:
    """The problems found, and how much was checked (for the summary line)."""

    problems: list[Problem]
    files: int
    steps: int

    def summary(self) -> str:
        """``12 files, 148 steps: no problems`` (or ``3 problems in 2 files``)."""
        checked = f"{_count(self.files, 'file')}, {_count(self.steps, 'step')}"
        if not self.problems:
            return f"{checked}: no problems"
        where = len({p.path for p in self.problems})
        return f"{checked}: {_count(len(self.problems), 'problem')} in {_count(where, 'file')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def load_target(
    env: str | None, env_dir: str | Path = "environments"
) -> tuple[LintTarget, list[Problem]]:
    """Read the environment (never starting anything); problems if it is missing or bad.

    Without ``--env`` (or ``WSBDD_ENV``) a missing ``local.env`` is no problem:
    lint then knows only the ``WSBDD_*`` variables of the process.
    """
    name = choose_environment(env)
    explicit = bool(env or os.environ.get("WSBDD_ENV"))
    env_file = Path(env_dir) / f"{name}.env"
    fallback = LintTarget(
        {k: v for k, v in os.environ.items() if k.startswith("WSBDD_")},
        Path(os.environ.get("WSBDD_SCHEMAS") or "features/schemas"),
        "the process environment",
    )
    if not env_file.is_file() and not explicit:
        return fallback, []
    try:
        settings = load_settings(name, env_dir=env_dir)
    except WsbddError as error:
        return fallback, [
            Problem(str(env_file), _key_line(env_file, error), "environment", str(error))
        ]
    target = LintTarget(
        settings.values, settings.schemas_dir, str(env_file), frozenset(settings.tokens)
    )
    return target, _profile_problems(settings, env_file)


def _profile_problems(settings: Settings, env_file: Path) -> list[Problem]:
    """``WSBDD_PROFILE`` must be a built-in profile or a valid profile file."""
    if not settings.profile:
        return []
    try:
        load_profile(settings.profile)
    except WsbddError as error:
        line = _key_line(env_file, ConfigError("", key="WSBDD_PROFILE"))
        return [Problem(str(env_file), line, "unknown profile", f"WSBDD_PROFILE: {error}")]
    return []


def _key_line(env_file: Path, error: WsbddError) -> int:
    key = getattr(error, "key", None)
    if key and env_file.is_file():
        for number, text in enumerate(env_file.read_text(encoding="utf-8").splitlines(), 1):
            if text.strip().startswith(f"{key}="):
                return number
    return 1


def feature_files(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The ``.feature`` files named or found under the folders named, sorted."""
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.feature")))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 0, "missing", "no such file or folder"))
    return list(dict.fromkeys(files)), problems


def _steps_dirs(files: Iterable[Path]) -> list[Path]:
    """The ``steps/`` folders behave would load for these files (nearest parent that has one)."""
    found: list[Path] = []
    for file in files:
        for parent in file.resolve().parents:
            if (parent / "steps").is_dir():
                if parent / "steps" not in found:
                    found.append(parent / "steps")
                break
    return found


@contextmanager
def _project_steps(dirs: Sequence[Path]) -> Iterator[list[Problem]]:
    """Load the project's step modules into behave's registry, and unload them afterwards."""
    from behave.runner_util import load_step_modules

    registry = step_registry()
    saved = {kind: list(matchers) for kind, matchers in registry.steps.items()}
    problems: list[Problem] = []
    try:
        for folder in dirs:
            try:
                load_step_modules([str(folder)])
            except Exception as error:  # a user's module may raise anything
                problems.append(
                    Problem(str(folder), 0, "steps", f"cannot load the step modules: {error}")
                )
        yield problems
    finally:
        registry.steps = saved


def lint(
    paths: Sequence[str | Path],
    *,
    env: str | None = None,
    env_dir: str | Path = "environments",
    load_project_steps: bool = True,
) -> LintReport:
    """Every problem of the feature files under ``paths`` (file and line order), and counts."""
    files, problems = feature_files(paths)
    target, env_problems = load_target(env, env_dir)
    problems += env_problems
    problems += _contract_setting_problems(target, Path(env_dir))
    dirs = _steps_dirs(files) if load_project_steps else []
    counter: list[int] = []
    with _project_steps(dirs) as step_problems:
        problems += step_problems
        steps = registry_steps()
        phrases = Phrases(steps)  # one index of known phrases for every file
        for file in files:
            problems += lint_file(file, target, steps, phrases, counter)
    return LintReport(problems, len(files), sum(counter))


def _contract_setting_problems(target: LintTarget, env_dir: Path) -> list[Problem]:
    """A ``WSBDD_ASYNCAPI`` that names no loadable contract, at its line of the env file."""
    name = target.environ.get(CONTRACT_SETTING)
    if not name:
        return []
    found = ContractLint().load(name, Path("features") / "any.feature")
    if not isinstance(found, str):
        return []
    env_file = Path(target.source)
    line = _key_line(env_file, ConfigError(found, key=CONTRACT_SETTING))
    return [Problem(target.source, line, "environment", f"{CONTRACT_SETTING}: {found}")]


def lint_paths(
    paths: Sequence[str | Path],
    *,
    env: str | None = None,
    env_dir: str | Path = "environments",
    load_project_steps: bool = True,
) -> list[Problem]:
    """Every problem of the feature files under ``paths``, in file and line order."""
    return lint(paths, env=env, env_dir=env_dir, load_project_steps=load_project_steps).problems


def lint_file(
    path: Path,
    target: LintTarget,
    steps: dict[str, list[StepMatcher]] | None = None,
    phrases: Phrases | None = None,
    step_counter: list[int] | None = None,
) -> list[Problem]:
    """Every problem of one feature file (its step count is appended to ``step_counter``)."""
    from behave.parser import ParserError, parse_feature

    steps = registry_steps() if steps is None else steps
    phrases = Phrases(steps) if phrases is None else phrases
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [Problem(str(path), 0, "syntax", f"cannot read the file: {error}")]
    problems = [
        Problem(str(path), m.line, "doc string", m.message) for m in doc_string_mistakes(text)
    ]
    try:
        feature = parse_feature(text, filename=str(path))
    except ParserError as error:
        said = "BAD-INDENT" in str(error) or int(error.line or 0) in {p.line for p in problems}
        if problems and said:  # behave's "BAD-INDENT ... would strip" is in plain words above
            return problems
        syntax = Problem(str(path), int(error.line or 0), "syntax", str(error).strip())
        return sorted([*problems, syntax])
    if feature is None:
        return problems
    if step_counter is not None:
        step_counter.append(len(all_steps(feature)))
    return sorted(problems + FeatureLinter(str(path), target, steps, phrases).run(feature))
