"""Which parts of a contract a run exercised, and which it never did."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsbdd.core.contracts.check import FrameVerdict
from wsbdd.core.contracts.model import Contract

__all__ = ["ContractCoverage", "NonConforming", "shown_path"]

_KEPT = 20
"""Non-conforming frames kept in full for the summary (all are counted)."""


def shown_path(path: Path) -> str:
    """``features/asyncapi.yaml``: relative to the current folder where it can be."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True, slots=True)
class NonConforming:
    """A frame that broke the contract: where it was seen and why."""

    scenario: str
    client: str
    frame: str
    explanation: str


@dataclass
class ContractCoverage:
    """Counts per contract message and operation over a whole run."""

    contract: Contract
    frames: int = 0
    seen: dict[str, int] = field(default_factory=dict)
    operations: dict[str, int] = field(default_factory=dict)
    nonconforming: list[NonConforming] = field(default_factory=list)
    nonconforming_count: int = 0

    def record(self, verdict: FrameVerdict, where: NonConforming | None = None) -> None:
        """Count one checked frame (``where`` says where it was, for a broken one)."""
        self.frames += 1
        message = verdict.message
        if message is not None:
            self.seen[message.label] = self.seen.get(message.label, 0) + 1
            self.operations[message.operation] = self.operations.get(message.operation, 0) + 1
        if not verdict.conforms:
            self.nonconforming_count += 1
            if where is not None and len(self.nonconforming) < _KEPT:
                self.nonconforming.append(where)

    def absorb(self, data: dict[str, Any]) -> None:
        """Add the counts of another run's :meth:`as_json` (a parallel worker's part)."""
        self.frames += int(data.get("frames", 0))
        self.nonconforming_count += int(data.get("nonconforming", 0))
        for label, count in dict(data.get("messages", {})).items():
            if count:
                self.seen[label] = self.seen.get(label, 0) + int(count)
        for key, count in dict(data.get("operations", {})).items():
            if count:
                self.operations[key] = self.operations.get(key, 0) + int(count)
        for example in data.get("examples", []):
            if len(self.nonconforming) < _KEPT:
                self.nonconforming.append(NonConforming(**example))

    def never_seen(self) -> list[str]:
        return [m.label for m in self.contract.messages if m.label not in self.seen]

    def operations_never_used(self) -> list[str]:
        return [o.key for o in self.contract.operations if o.key not in self.operations]

    def summary(self) -> str:
        """A few lines for the console at the end of the run."""
        messages = self.contract.messages
        seen = len(messages) - len(self.never_seen())
        ops = self.contract.operations
        used = len(ops) - len(self.operations_never_used())
        lines = [
            f"AsyncAPI contract {shown_path(self.contract.path)} ({self.contract.title}, "
            f"AsyncAPI {self.contract.version}): {self.frames} frames checked, "
            f"{self.nonconforming_count} not conforming",
            f"  messages seen: {seen} of {len(messages)}; operations used: {used} of {len(ops)}",
        ]
        if self.never_seen():
            lines.append("  never seen: " + ", ".join(self.never_seen()))
        if self.operations_never_used():
            lines.append("  operations never used: " + ", ".join(self.operations_never_used()))
        for item in self.nonconforming[:5]:
            first = item.explanation.splitlines()[0]
            lines.append(f"  not conforming: {item.scenario}: client {item.client} {item.frame}")
            lines.append(f"    {first}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The same facts as data (the report attachment and ``asyncapi-coverage.json``)."""
        return {
            "contract": shown_path(self.contract.path),
            "path": str(self.contract.path),
            "title": self.contract.title,
            "asyncapi": self.contract.version,
            "frames": self.frames,
            "nonconforming": self.nonconforming_count,
            "messages": {m.label: self.seen.get(m.label, 0) for m in self.contract.messages},
            "operations": {o.key: self.operations.get(o.key, 0) for o in self.contract.operations},
            "never_seen": self.never_seen(),
            "operations_never_used": self.operations_never_used(),
            "examples": [
                {
                    "scenario": n.scenario,
                    "client": n.client,
                    "frame": n.frame,
                    "explanation": n.explanation,
                }
                for n in self.nonconforming
            ],
        }
