"""The step checks of ``wsbdd lint`` on one parsed feature file.

Undefined and ambiguous steps, unknown variables, invalid JSON (one value per
line in list doc strings), hexadecimal frames, missing schemas, unknown
profiles, identities with no token, clients used before they connect, and
AsyncAPI contracts and the message names steps take from them.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wsbdd.authoring.catalogue import StepMatcher, definitions_matching
from wsbdd.authoring.codec_lint import codec_problems
from wsbdd.authoring.contract_lint import ContractLint
from wsbdd.authoring.problems import LintTarget, Problem
from wsbdd.authoring.suggest import Phrases
from wsbdd.authoring.usage import client_uses, token_users, uses_of
from wsbdd.core.contracts import SETTING as CONTRACT_SETTING
from wsbdd.core.contracts import Contract
from wsbdd.core.exceptions import WsbddError
from wsbdd.core.matching.templating import (
    GENERATORS,
    NAME_PATTERN,
    Variables,
    render_json,
    render_json_lines,
)
from wsbdd.core.profiles import BUILTIN_PROFILES

__all__ = ["FeatureLinter", "all_steps"]

_REFERENCE = re.compile(rf"\$\$\{{|\$\{{({NAME_PATTERN})\}}")
_JSON_LINES_STEPS = frozenset({"receives_in_order", "receives_any_order"})
"""Library steps whose doc string holds several JSON values, one per line."""
_DOC_LINE = re.compile(r"at line (\d+), column \d+")
_HEX_LINE = re.compile(r"[0-9a-fA-F]{2}(?:\s*[0-9a-fA-F]{2})*")


def _is_not_one_json_value(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return True
    return False


class _AnyValue(Variables):
    """Every name has a value: JSON is checked for its syntax, not its variables."""

    def get(self, name: str) -> Any:
        return f"${{{name}}}"


@dataclass
class _Checked:
    step: Any
    matcher: StepMatcher | None
    arguments: dict[str, str]


class FeatureLinter:
    """The step-level checks of one parsed feature file."""

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
        """Every problem of the feature's steps, in line order."""
        checked = [self.match(step) for step in all_steps(feature)]
        defined = {
            value for c in checked for key, value in c.arguments.items() if key == "variable"
        }
        for c in checked:  # a step function may name the variables it sets (wsbdd_sets)
            defined.update(getattr(getattr(c.matcher, "func", None), "wsbdd_sets", ()))
        for item in checked:
            self.check_variables(item, defined)
            if item.matcher is not None:
                self.check_arguments(item)
        self.check_tokens(feature, checked)
        self.check_clients(feature, checked)
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
        if library and takes_doc and step.text is not None:
            if "binary messages" in str(matcher.pattern):
                self.check_hex_lines(step, step.text, binary_step=True)
                return
            several = func.__name__ in _JSON_LINES_STEPS
            self.check_json(step, step.text, several=several, in_doc=True)

    def check_codecs(self, item: _Checked) -> None:
        """Hex on the step line, codec names, .proto files and their types (docs/codecs.md)."""
        step, args = item.step, item.arguments
        for problem in codec_problems(args, Path(self.path)):
            self.add(step, problem.kind, problem.message, problem.suggestions)

    def check_hex_lines(self, step: Any, text: str, *, binary_step: bool = False) -> bool:
        """One hexadecimal frame per line; True when a line of a JSON list looks like hex."""
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            is_hex = bool(line) and _HEX_LINE.fullmatch(line) is not None
            where = int(step.line) + 1 + number
            if binary_step and line and not is_hex:
                self.problems.add(
                    Problem(
                        self.path,
                        where,
                        "invalid hex",
                        f"in the doc string: {line!r} is not one binary frame in hexadecimal "
                        '(write one frame per line, as pairs of 0-9a-f: "30 05 00 01")',
                    )
                )
            elif not binary_step and is_hex and _is_not_one_json_value(line):
                self.problems.add(
                    Problem(
                        self.path,
                        where,
                        "invalid JSON",
                        f"in the doc string: {line!r} is not one JSON value: write one JSON "
                        "value per line (binary frames in hexadecimal? they go in "
                        '"receives, in order, the binary messages:")',
                    )
                )
                return True
        return False

    def check_json(self, step: Any, text: str, *, several: bool, in_doc: bool) -> None:
        if not text:
            return
        if several and self.check_hex_lines(step, text):
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

    # -- tokens and clients ------------------------------------------------------

    def check_tokens(self, feature: Any, checked: list[_Checked]) -> None:
        """Every identity acted as ("as carol") has a token in the environment or a table."""
        if self.target.tokens is None:
            return
        known = set(self.target.tokens) | token_users(all_steps(feature))
        reported: set[str] = set()
        for item in checked:
            for use in uses_of(int(item.step.line), item.arguments):
                user = use.name.lower()
                if use.kind != "identity" or user in known or user in reported:
                    continue
                reported.add(user)
                self.add(
                    item.step,
                    "missing token",
                    f'"as {use.name}" needs a token: set WSBDD_TOKEN_{use.name.upper()} in '
                    f'{self.target.source} or add {use.name} to a "Given the tokens:" table',
                )

    def check_clients(self, feature: Any, checked: list[_Checked]) -> None:
        """A step acting on client X must come after a step that connects X (per scenario)."""
        by_step = {(int(c.step.line), str(c.step.name)): c for c in checked}
        for scenario in feature.walk_scenarios():
            items = []
            for step in scenario.all_steps:
                found = by_step.get((int(step.line), str(step.name)))
                if found is None or found.matcher is None:
                    continue
                func = found.matcher.func
                if not str(func.__module__).startswith("wsbdd.steps"):
                    continue
                items.append((step, func.__name__, str(found.matcher.pattern), found.arguments))
            for use in client_uses(items, profile=self.target.environ.get("WSBDD_PROFILE")):
                self.problems.add(
                    Problem(
                        self.path,
                        use.line,
                        "unknown client",
                        f"client {use.name} is used before any step connects it in scenario "
                        f'"{scenario.name}": add "Given client {use.name} is connected" before '
                        "this step",
                    )
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


def all_steps(feature: Any) -> list[Any]:
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
