"""Before the first scenario: check what can be checked, and say it once.

The run stops before any scenario when the environment, the API profile, a
token for an identity the selected features use ("as carol" with no
``WSBDD_TOKEN_CAROL``) or a schema file they name is wrong: one short report,
instead of the same error in every scenario.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wsbdd.authoring.codec_lint import codec_problems
from wsbdd.authoring.doc_strings import doc_string_mistakes
from wsbdd.authoring.usage import Use, step_arguments, token_users, uses_of
from wsbdd.config import Settings
from wsbdd.core.exceptions import ConfigError, ProfileError, WsbddError
from wsbdd.core.matching.schema import SchemaStore
from wsbdd.session.codec_choice import SETTING as CODEC_SETTING
from wsbdd.session.codec_choice import codec_from_setting

__all__ = [
    "Finding",
    "check_feature_texts",
    "check_run",
    "check_settings_codec",
    "check_settings_profile",
    "selected_steps",
    "stop_message",
]


@dataclass(frozen=True)
class Finding:
    """One mistake found before the run: where (file:line or file: key) and what."""

    where: str
    message: str

    def render(self) -> str:
        """``where: message`` (the message already names the key, if any)."""
        return f"{self.where}: {self.message}" if self.where else self.message


def check_settings_profile(settings: Settings, load: Any) -> list[Finding]:
    """``WSBDD_PROFILE`` must name a built-in profile or a readable, valid TOML file."""
    if not settings.profile:
        return []
    try:
        load(settings.profile)
    except ProfileError as error:
        if error.file is None:
            error = ProfileError(str(error), file=settings.source, key="WSBDD_PROFILE")
        return [Finding("", str(error))]
    return []


def check_feature_texts(paths: Sequence[str | Path]) -> list[Finding]:
    """Doc-string mistakes of the feature files under ``paths``, before behave parses them.

    behave stops a run on a doc-string line left of its quotes with a cryptic
    "BAD-INDENT ... would strip leading"; ``wsbdd run`` says it in plain words.
    """
    findings: list[Finding] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(path.rglob("*.feature"))
        elif path.suffix == ".feature" and path.is_file():
            files = [path]
        else:
            continue
        for file in files:
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # behave says why it cannot read it
            findings += [Finding(f"{file}:{m.line}", m.message) for m in doc_string_mistakes(text)]
    return findings


def stop_message(findings: Sequence[Finding]) -> str:
    """The findings, one per line, then the line that says the run stopped."""
    noun = "mistake" if len(findings) == 1 else f"{len(findings)} mistakes"
    lines = [finding.render() for finding in findings]
    lines.append(f"wsbdd: the run stopped before the first scenario ({noun} to fix above).")
    return "\n".join(lines)


def selected_steps(features: Iterable[Any], config: Any) -> Iterator[tuple[Any, list[Any]]]:
    """Each scenario that will run (tags and ``--name`` applied) with its steps."""
    for feature in features:
        for scenario in feature.walk_scenarios():
            if config is None or scenario.should_run(config):
                yield scenario, list(scenario.all_steps)


def check_settings_codec(settings: Settings) -> list[Finding]:
    """``WSBDD_CODEC`` names a codec (and, for Protobuf, a file and type that exist)."""
    value = settings.values.get(CODEC_SETTING)
    if not value:
        return []
    try:
        codec_from_setting(value, [Path("features")])
    except WsbddError as error:
        return [Finding("", str(ConfigError(str(error), file=settings.source, key=CODEC_SETTING)))]
    return []


def check_run(
    settings: Settings,
    features: Iterable[Any],
    *,
    config: Any,
    registry: Any,
    schemas: SchemaStore,
    load_profile: Any,
) -> list[Finding]:
    """Every mistake the selected scenarios would meet, before one of them runs."""
    findings = check_settings_profile(settings, load_profile) + check_settings_codec(settings)
    seen: set[tuple[str, str]] = set()
    for _scenario, steps in selected_steps(features, config):
        users = token_users(steps)
        for step in steps:
            match = registry.find_match(step)
            if match is None:
                continue  # behave reports undefined steps itself
            arguments = step_arguments(match)
            for codec in codec_problems(arguments, Path(step.filename)):
                if ("codec", codec.message) not in seen:
                    seen.add(("codec", codec.message))
                    findings.append(Finding(f"{step.filename}:{step.line}", codec.message))
            for use in uses_of(int(step.line), arguments):
                if (use.kind, use.name) in seen:
                    continue
                problem = _check(use, settings, users, schemas, load_profile)
                if problem is not None:
                    seen.add((use.kind, use.name))
                    findings.append(Finding(f"{step.filename}:{step.line}", problem))
    return findings


def _check(
    use: Use, settings: Settings, users: set[str], schemas: SchemaStore, load_profile: Any
) -> str | None:
    if use.kind == "identity":
        if use.name.lower() in settings.tokens or use.name.lower() in users:
            return None
        key = f"WSBDD_TOKEN_{use.name.upper()}"
        return str(
            ConfigError(
                f'"as {use.name}" needs a token: set {key} in {settings.source} '
                f'or add {use.name} to a "Given the tokens:" table'
            )
        )
    try:
        if use.kind == "schema":
            schemas.schema(use.name)
        elif use.kind == "profile":
            load_profile(use.name)
    except WsbddError as error:
        return str(error)
    return None
