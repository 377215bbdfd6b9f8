"""AsyncAPI contract steps: receive a contract message, check every frame, keep coverage.

Two parts, as the session and the run see them:

* :class:`ContractLibrary` (one per run, ``RunContext.contracts``): loads each
  contract once, resolves its path (the features folder, then the project
  root), knows the run's default contract (``WSBDD_ASYNCAPI``) and keeps the
  coverage of every contract the run used;
* :class:`ContractChecks` (one per scenario, ``session.contracts``): the
  steps' side — which contract this scenario uses, and the checks.

Which contract message a frame is: :mod:`wsbdd.core.contracts.check`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wsbdd.core.contracts import (
    SETTING,
    ContractChecker,
    ContractCoverage,
    Direction,
    FrameVerdict,
    NonConforming,
    load_contract,
)
from wsbdd.core.contracts.coverage import shown_path
from wsbdd.core.exceptions import ConfigError, ContractError, ExpectationFailed, UsageError
from wsbdd.core.profiles import Profile
from wsbdd.core.records import Message
from wsbdd.runtime import Client, Clients
from wsbdd.session.receiving import Receiver
from wsbdd.session.timing import ScenarioTiming

__all__ = [
    "INVALID_INPUT_TAG",
    "SETTING",
    "ContractChecks",
    "ContractLibrary",
    "Frame",
    "channel_path_of",
    "check_frame",
]

INVALID_INPUT_TAG = "asyncapi.invalid-input"
"""Tag of a scenario whose clients send frames outside the contract on purpose."""

CHECKED_PER_CLIENT = 10_000
"""Frames per client and scenario checked for coverage at the end of a scenario."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame of a client, in either direction, as the contract checks see it."""

    client: str
    direction: Direction
    label: str
    value: Any
    is_json: bool
    shown: str
    connection_path: str | None


def channel_path_of(profile: Profile | None) -> tuple[str | int, ...]:
    """Where a frame names its channel: where the profile's delivery puts ``${channel}``."""
    if profile is not None and profile.delivery is not None:
        found = _path_to(profile.delivery.match.value, "${channel}")
        if found is not None:
            return found
    return ("channel",)


def _path_to(value: Any, wanted: str) -> tuple[str | int, ...] | None:
    if value == wanted:
        return ()
    if isinstance(value, dict):
        for key, item in value.items():
            found = _path_to(item, wanted)
            if found is not None:
                return (str(key), *found)
    return None


class ContractLibrary:
    """The run's contracts: loaded once, resolved against the features folder, covered."""

    def __init__(
        self, default: str | None, source: str, features_dirs: Sequence[Path] = ()
    ) -> None:
        self.default = default or None
        self.source = source
        self.features_dirs: list[Path] = list(features_dirs)
        self._checkers: dict[tuple[Path, tuple[str | int, ...]], ContractChecker] = {}
        self.coverage: dict[Path, ContractCoverage] = {}

    def resolve(self, name: str) -> Path:
        """``name`` under the features folder, else under the project root."""
        path = Path(name)
        folders = [*self.features_dirs, Path("features"), Path.cwd()]
        candidates = [path] if path.is_absolute() else [folder / path for folder in folders]
        for candidate in candidates:
            if candidate.is_file():
                return candidate.resolve()
        tried = list(dict.fromkeys(str(c) for c in candidates))
        raise ContractError(f'AsyncAPI contract "{name}" not found (looked for {", ".join(tried)})')

    def checker(self, name: str, channel_path: tuple[str | int, ...]) -> ContractChecker:
        path = self.resolve(name)
        key = (path, channel_path)
        if key not in self._checkers:
            checker = ContractChecker(load_contract(path), channel_path)
            self._checkers[key] = checker
            self.coverage.setdefault(path, ContractCoverage(checker.contract))
        return self._checkers[key]

    def default_checker(self, channel_path: tuple[str | int, ...]) -> ContractChecker | None:
        """The run's contract (``WSBDD_ASYNCAPI``), if the environment names one."""
        if self.default is None:
            return None
        try:
            return self.checker(self.default, channel_path)
        except ContractError as err:
            raise ConfigError(str(err), file=self.source, key=SETTING) from None

    def record(self, checker: ContractChecker, scenario: str, frames: Iterable[Frame]) -> None:
        """Count a scenario's frames into the contract's coverage."""
        coverage = self.coverage[checker.contract.path]
        for frame in frames:
            verdict = check_frame(checker, frame)
            where = None
            if not verdict.conforms:
                shown = f"{frame.label} {frame.shown}"
                where = NonConforming(scenario, frame.client, shown, verdict.explain())
            coverage.record(verdict, where)

    def summaries(self) -> list[str]:
        return [c.summary() for c in self.coverage.values()]


def check_frame(checker: ContractChecker, frame: Frame) -> FrameVerdict:
    """The contract's verdict on one frame (a frame that is not JSON never conforms)."""
    if not frame.is_json:
        return FrameVerdict(
            frame.direction, None, reason="not JSON: the contract checks JSON frames"
        )
    return checker.check(frame.value, frame.direction, frame.connection_path)


class ContractChecks:
    """The contract steps of one scenario."""

    def __init__(
        self,
        library: ContractLibrary,
        clients: Clients,
        receiver: Receiver,
        profile: Callable[[], Profile | None],
        timing: ScenarioTiming,
    ) -> None:
        self._library = library
        self._clients = clients
        self._receiver = receiver
        self._profile = profile
        self._timing = timing
        self._chosen: str | None = None

    def use(self, name: str) -> None:
        """``Given the AsyncAPI contract "FILE"``: load it now (errors show at this step)."""
        self._library.checker(name, channel_path_of(self._profile()))
        self._chosen = name

    def active(self) -> ContractChecker | None:
        """The scenario's contract: the one a step chose, else the run's default."""
        path = channel_path_of(self._profile())
        if self._chosen is not None:
            return self._library.checker(self._chosen, path)
        return self._library.default_checker(path)

    def _require(self) -> ContractChecker:
        checker = self.active()
        if checker is None:
            raise UsageError(
                'no AsyncAPI contract: add "Given the AsyncAPI contract \\"asyncapi.yaml\\"" '
                f"or set {SETTING} in the environment file"
            )
        return checker

    # -- steps -------------------------------------------------------------------

    def receive(self, name: str, message_name: str, within: float | None) -> Message:
        """``Then client A receives the message "OrderCreated"``: by name, schema checked."""
        deadline = self._timing.message(within)
        checker = self._require()
        wanted = [
            m for m in checker.contract.messages_named(message_name) if m.direction == "received"
        ]
        if not wanted:
            known = sorted({m.name for m in checker.contract.messages if m.direction == "received"})
            raise UsageError(
                f"the AsyncAPI contract {shown_path(checker.contract.path)} has no message "
                f'"{message_name}" that clients receive (they receive: {", ".join(known)})'
            )
        path = self._connection_path(name)
        labels = {m.label for m in wanted}

        def verdict(message: Message) -> FrameVerdict | None:
            if not message.is_json:
                return None
            return checker.check(message.payload, "received", path)

        def accept(message: Message) -> bool:
            found = verdict(message)
            return found is not None and found.conforms and found.message.label in labels  # type: ignore[union-attr]

        def explain(inbox: Sequence[Message]) -> list[str]:
            for message in inbox:
                found = verdict(message)
                if (
                    found is not None
                    and found.message is not None
                    and found.message.label in labels
                ):
                    return [f"#{message.index} {message.display(200)}", found.explain()]
            return [f"none of the {len(inbox)} unconsumed messages is a {message_name}"]

        return self._receiver.receive_where(
            name,
            accept,
            f'the message "{message_name}" of the AsyncAPI contract',
            deadline,
            explain=explain,
        )

    def assert_client(self, name: str) -> None:
        """``Then every message of client A conforms to the AsyncAPI contract``."""
        checker = self._require()
        self._assert(checker, self.frames([name]), f"client {name}")

    def assert_scenario(self) -> None:
        """``Then every message of this scenario conforms to the AsyncAPI contract``."""
        checker = self._require()
        self._assert(checker, self.frames(self._clients.names()), "this scenario")

    def _assert(self, checker: ContractChecker, frames: list[Frame], whose: str) -> None:
        if not frames:
            raise ExpectationFailed(f"{whose}: no frame was sent or received to check")
        broken = []
        for frame in frames:
            verdict = check_frame(checker, frame)
            if not verdict.conforms:
                broken.append((frame, verdict))
        if broken:
            lines = [
                f"{whose}: {len(broken)} of {len(frames)} frames do not conform to the AsyncAPI "
                f"contract {shown_path(checker.contract.path)}"
            ]
            for frame, verdict in broken[:5]:
                lines.append(f"  client {frame.client} {frame.label}: {frame.shown}")
                channel = checker.channel_of(frame.value) if frame.is_json else None
                on = f"on channel {channel}: " if channel else ""
                explanation = verdict.explain().replace("\n", "\n  ")
                lines.append(f"    {on}{explanation}")
            if len(broken) > 5:
                lines.append(f"  … and {len(broken) - 5} more")
            raise ExpectationFailed("\n".join(lines))

    # -- frames ------------------------------------------------------------------

    def frames(self, names: Sequence[str], limit: int | None = None) -> list[Frame]:
        """Every frame the named clients sent and received, read on the loop thread."""
        found: list[Frame] = []
        for name in names:
            snapshot = self._clients.wait(name, lambda client: _frames(client, limit), 0.0)
            found += snapshot or []
        return found

    def _connection_path(self, name: str) -> str | None:
        return self._clients.wait(name, lambda c: urlsplit(c.request.url).path or "/", 0.0)

    def record_coverage(self, scenario: str, tags: Iterable[str] = ()) -> None:
        """At the end of a scenario: count its frames into the run's coverage.

        A scenario tagged ``@asyncapi.invalid-input`` sends frames outside the
        contract on purpose: only what its clients received is judged.
        """
        checker = self.active()
        if checker is not None:
            frames = self.frames(self._clients.names(), CHECKED_PER_CLIENT)
            if INVALID_INPUT_TAG in tags:
                frames = [f for f in frames if f.direction == "received"]
            self._library.record(checker, scenario, frames)


def _frames(client: Client, limit: int | None) -> list[Frame]:
    if client.request.transport == "socketio":
        return []  # Socket.IO events are not the WebSocket API the contract describes
    path = urlsplit(client.request.url).path or "/"
    frames: list[Frame] = []
    for number, event in enumerate(client.sent_frames, start=1):
        text = event.data if isinstance(event.data, str) else None
        value: Any = None
        is_json = False
        if "decoded" in event.meta:  # sent in a binary codec: the value it encoded
            value, is_json = event.meta["decoded"], True
        elif text is not None:
            with contextlib.suppress(ValueError):
                value, is_json = json.loads(text), True
        if text is not None:
            shown = text
        elif is_json:
            shown = json.dumps(value, ensure_ascii=False) + f" ({event.meta.get('codec', '')})"
        else:
            shown = f"<binary {len(event.data)} bytes>"
        frames.append(
            Frame(client.name, "sent", f"sent #{number}", value, is_json, _short(shown), path)
        )
    for message in client.received[: limit if limit is not None else None]:
        frames.append(
            Frame(
                client.name,
                "received",
                f"received #{message.index}",
                message.payload,
                message.is_json,
                message.display(200),
                path,
            )
        )
    return frames


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"
