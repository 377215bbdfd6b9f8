"""Check feature files without connecting anywhere (``wsbdd lint``).

What it reports, each as ``path:line: kind: message``:

* ``syntax``: the file is not valid Gherkin;
* ``undefined step`` / ``ambiguous step``: no step definition, or more than
  one, matches a step (with the closest known phrases: "did you mean");
* ``unknown variable``: ``${name}`` is set by no step of the feature
  (``the variable "name" is ...``, ``I save ... as "name"``), is not a key of
  the chosen environment file and is not a generator (``uuid``, ``now``,
  ``timestamp``; ``i`` in repeated sends);
* ``missing schema``: a schema file that is not under ``WSBDD_SCHEMAS``;
* ``invalid JSON``: inline JSON or a doc string that is not valid JSON;
* ``unknown profile``: neither a built-in API profile nor an existing file;
* ``environment``: the environment file cannot be read or is invalid.

The environment is chosen as for ``wsbdd run`` (``--env``, ``WSBDD_ENV``,
default ``local``) and only read: no server is started.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsbdd.authoring.catalogue import (
    StepMatcher,
    definitions_matching,
    registry_steps,
    step_registry,
)
from wsbdd.authoring.codec_lint import HEX_LINES_STEPS, codec_problems
from wsbdd.authoring.contract_lint import ContractLint
from wsbdd.authoring.suggest import Phrases, render_suggestions
from wsbdd.config import choose_environment, load_settings
from wsbdd.contracts import SETTING as CONTRACT_SETTING
from wsbdd.contracts import Contract
from wsbdd.exceptions import ConfigError, WsbddError
from wsbdd.matching.templating import (
    GENERATORS,
    NAME_PATTERN,
    Variables,
    render_json,
    render_json_lines,
)
from wsbdd.profiles import BUILTIN_PROFILES

__all__ = ["LintTarget", "Problem", "feature_files", "lint_file", "lint_paths", "load_target"]

_REFERENCE = re.compile(rf"\$\$\{{|\$\{{({NAME_PATTERN})\}}")
_JSON_LINES_STEPS = frozenset({"receives_in_order", "receives_any_order"})
"""Library steps whose doc string holds several JSON values, one after another."""
_DOC_LINE = re.compile(r"at line (\d+), column \d+")


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, at a file and line."""

    path: str
    line: int
    kind: str
    message: str
    suggestions: tuple[str, ...] = field(default=(), compare=False)

    def render(self) -> str:
        """``path:line: kind: message`` then one ``did you mean`` line per suggestion."""
        head = f"{self.path}:{self.line}: {self.kind}: {self.message}"
        return "\n".join([head, *render_suggestions(self.suggestions)])


@dataclass(frozen=True)
class LintTarget:
    """What the chosen environment tells lint: variables, schema folder, where it came from."""

    environ: Mapping[str, str]
    schemas_dir: Path
    source: str


class _AnyValue(Variables):
    """Every name has a value: JSON is checked for its syntax, not its variables."""

    def get(self, name: str) -> Any:
        return f"${{{name}}}"


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
    return LintTarget(settings.values, settings.schemas_dir, str(env_file)), []


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


def lint_paths(
    paths: Sequence[str | Path],
    *,
    env: str | None = None,
    env_dir: str | Path = "environments",
    load_project_steps: bool = True,
) -> list[Problem]:
    """Every problem of the feature files under ``paths``, in file and line order."""
    files, problems = feature_files(paths)
    target, env_problems = load_target(env, env_dir)
    problems += env_problems
    problems += _contract_setting_problems(target, Path(env_dir))
    dirs = _steps_dirs(files) if load_project_steps else []
    with _project_steps(dirs) as step_problems:
        problems += step_problems
        steps = registry_steps()
        phrases = Phrases(steps)  # one index of known phrases for every file
        for file in files:
            problems += lint_file(file, target, steps, phrases)
    return problems


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


def lint_file(
    path: Path,
    target: LintTarget,
    steps: dict[str, list[StepMatcher]] | None = None,
    phrases: Phrases | None = None,
) -> list[Problem]:
    """Every problem of one feature file."""
    from behave.parser import ParserError, parse_file

    steps = registry_steps() if steps is None else steps
    phrases = Phrases(steps) if phrases is None else phrases
    try:
        feature = parse_file(str(path))
    except ParserError as error:
        return [Problem(str(path), int(error.line or 0), "syntax", str(error).strip())]
    except (OSError, UnicodeDecodeError) as error:
        return [Problem(str(path), 0, "syntax", f"cannot read the file: {error}")]
    if feature is None:
        return []
    return _FeatureLinter(str(path), target, steps, phrases).run(feature)


@dataclass
class _Checked:
    step: Any
    matcher: StepMatcher | None
    arguments: dict[str, str]


class _FeatureLinter:
    def __init__(
        self,
        path: str,
        target: LintTarget,
        steps: dict[str, list[StepMatcher]],
        phrases: Phrases,
    ) -> None:
        self.path = path
        self.target = target
        self.steps = steps
        self.phrases = phrases
        self.problems: set[Problem] = set()
        self.contracts = ContractLint()

    def add(self, step: Any, kind: str, message: str, suggestions: Sequence[str] = ()) -> None:
        self.problems.add(Problem(self.path, int(step.line), kind, message, tuple(suggestions)))

    def run(self, feature: Any) -> list[Problem]:
        checked = [self.match(step) for step in _all_steps(feature)]
        defined = {
            value for c in checked for key, value in c.arguments.items() if key == "variable"
        }
        for c in checked:  # a step function may name the variables it sets (wsbdd_sets)
            defined.update(getattr(getattr(c.matcher, "func", None), "wsbdd_sets", ()))
        for item in checked:
            self.check_variables(item, defined)
            if item.matcher is not None:
                self.check_arguments(item)
        self.check_contract_messages(checked)
        return sorted(self.problems)

    # -- AsyncAPI contracts ----------------------------------------------------------

    def check_contract_messages(self, checked: list[_Checked]) -> None:
        """Each contract loads; each message name a step uses is in the feature's contract."""
        named = [c for c in checked if "contract" in c.arguments]
        contract: Contract | str | None = None  # the feature's first loadable contract
        for item in named:
            if "${" in item.arguments["contract"]:
                continue
            loaded = self.contracts.load(item.arguments["contract"], Path(self.path))
            if isinstance(loaded, str):
                self.add(item.step, "bad contract", loaded)
            elif contract is None:
                contract = loaded
        if contract is None and self.target.environ.get(CONTRACT_SETTING):
            contract = self.contracts.load(self.target.environ[CONTRACT_SETTING], Path(self.path))
        for item in checked:
            message = item.arguments.get("message")
            if message is None or item.matcher is None or "${" in message:
                continue
            if item.matcher.func.__name__ != "receives_contract_message":
                continue
            if contract is None:
                self.add(
                    item.step,
                    "no contract",
                    f'"{message}" names a contract message, but no AsyncAPI contract is given: '
                    f'add "Given the AsyncAPI contract "asyncapi.yaml"" or set '
                    f"{CONTRACT_SETTING} in {self.target.source}",
                )
            elif not isinstance(contract, str):
                problem = ContractLint.message_problem(contract, message)
                if problem is not None:
                    self.add(item.step, "unknown message", problem[0], problem[1])

    def match(self, step: Any) -> _Checked:
        matching = definitions_matching(self.steps, step.step_type, step.name)
        if not matching:
            self.add(
                step,
                "undefined step",
                f"{step.keyword} {step.name}",
                self.phrases.closest(step.name),
            )
            return _Checked(step, None, {})
        if len(matching) > 1:
            where = ", ".join(f"{m.func.__name__} ({m.location})" for m in matching)
            self.add(
                step,
                "ambiguous step",
                f"{step.keyword} {step.name} matches {len(matching)} step definitions: {where}",
            )
        found = matching[0].match(step.name)
        arguments = {
            str(arg.name): str(arg.value)
            for arg in getattr(found, "arguments", None) or ()
            if arg.name is not None and arg.value is not None
        }
        return _Checked(step, matching[0], arguments)

    # -- variables ---------------------------------------------------------------

    def check_variables(self, item: _Checked, defined: set[str]) -> None:
        step = item.step
        known = defined | set(self.target.environ) | set(GENERATORS)
        if "count" in item.arguments:
            known = known | {"i"}
        name = step.name
        # arguments filled when the step acts (a mock's reply from its request): not checked
        for argument in getattr(getattr(item.matcher, "func", None), "wsbdd_filled_later", ()):
            name = name.replace(item.arguments.get(argument, "\0"), "")
        texts = [name, step.text or ""]
        if step.table is not None:
            texts += [*step.table.headings, *(cell for row in step.table.rows for cell in row)]
        for text in texts:
            for found in _REFERENCE.finditer(text):
                name = found.group(1)
                if name is None or name in known:
                    continue
                self.add(
                    step,
                    "unknown variable",
                    f"${{{name}}} is set by no step of this feature, is not in "
                    f"{self.target.source} and is not a generator ({', '.join(GENERATORS)})",
                    [f"${{{n}}}" for n in difflib.get_close_matches(name, sorted(known), n=3)],
                )

    # -- arguments: JSON, schemas, profiles ----------------------------------------

    def check_arguments(self, item: _Checked) -> None:
        step, args, matcher = item.step, item.arguments, item.matcher
        assert matcher is not None
        for key in ("json", "value"):
            text = args.get(key, "")
            if key == "json" or text.lstrip().startswith(("{", "[")):
                self.check_json(step, text, several=False, in_doc=False)
        if "schema" in args:
            self.check_schema(step, args["schema"])
        if "profile" in args:
            self.check_profile(step, args["profile"])
        self.check_codecs(item)
        func = matcher.func
        takes_doc = str(matcher.pattern).removesuffix("$").endswith(":")
        library = str(func.__module__).startswith("wsbdd.steps")
        hex_doc = func.__name__ in HEX_LINES_STEPS  # checked by check_codecs
        if library and takes_doc and step.text is not None and not hex_doc:
            several = func.__name__ in _JSON_LINES_STEPS
            self.check_json(step, step.text, several=several, in_doc=True)

    def check_json(self, step: Any, text: str, *, several: bool, in_doc: bool) -> None:
        if not text:
            return
        try:
            if several:
                render_json_lines(text, _AnyValue())
            else:
                render_json(text, _AnyValue())
        except WsbddError as error:
            message = str(error)
            if message.startswith("invalid JSON"):
                message = message.removeprefix("invalid JSON").lstrip(": ")
            line = int(step.line)
            found = _DOC_LINE.search(message)
            if in_doc and found:
                line = int(step.line) + 1 + int(found.group(1))
            where = "in the doc string" if in_doc else "on the step line"
            self.problems.add(Problem(self.path, line, "invalid JSON", f"{where}: {message}"))

    def check_codecs(self, item: _Checked) -> None:
        """Hex frames, codec names, .proto files and their message types (docs/codecs.md)."""
        step, args = item.step, item.arguments
        for problem in codec_problems(args, step.text, item.matcher, Path(self.path)):
            self.add(step, problem.kind, problem.message, problem.suggestions)

    def check_schema(self, step: Any, name: str) -> None:
        if "${" in name:
            return
        root = self.target.schemas_dir
        if (root / name).is_file():
            return
        existing = (
            sorted(str(p.relative_to(root)) for p in root.rglob("*.json")) if root.is_dir() else []
        )
        self.add(
            step,
            "missing schema",
            f'schema file "{name}" not found in {root} (WSBDD_SCHEMAS in {self.target.source})',
            difflib.get_close_matches(name, existing, n=3),
        )

    def check_profile(self, step: Any, name: str) -> None:
        if name in BUILTIN_PROFILES or "${" in name or Path(name).is_file():
            return
        self.add(
            step,
            "unknown profile",
            f'API profile "{name}" is neither a built-in ({", ".join(BUILTIN_PROFILES)}) '
            "nor an existing .toml file",
            [f'the API profile "{n}"' for n in difflib.get_close_matches(name, BUILTIN_PROFILES)],
        )


def _all_steps(feature: Any) -> list[Any]:
    """Every step once: backgrounds, scenarios, expanded outlines, rules."""
    seen: set[tuple[int, str]] = set()
    result: list[Any] = []

    def add(steps: Iterable[Any]) -> None:
        for step in steps:
            key = (int(step.line), str(step.name))
            if key not in seen:
                seen.add(key)
                result.append(step)

    if feature.background is not None:
        add(feature.background.steps)
    for scenario in feature.walk_scenarios():
        add(scenario.all_steps)
    return sorted(result, key=lambda s: int(s.line))
