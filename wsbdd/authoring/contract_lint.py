"""What ``wsbdd lint`` checks of AsyncAPI contracts, offline.

* the contract a feature names (``Given the AsyncAPI contract "FILE"``) or the
  environment's ``WSBDD_ASYNCAPI`` loads: the file exists, is YAML or JSON,
  AsyncAPI 2.x or 3.x, every ``$ref`` resolves and every payload is a valid
  schema;
* every message name a step uses (``receives the message "NAME"``) is a
  message clients receive in that contract.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from wsbdd.core.contracts import Contract, ContractChecker, load_contract
from wsbdd.core.exceptions import WsbddError

__all__ = ["ContractLint"]


class ContractLint:
    """Loads each contract once per lint run; answers with problem texts."""

    def __init__(self) -> None:
        self._loaded: dict[Path, Contract | str] = {}

    def resolve(self, name: str, feature: Path) -> Path | None:
        """The contract file: beside the features folder of ``feature``, then the project."""
        path = Path(name)
        if path.is_absolute():
            return path if path.is_file() else None
        folders = [*feature.resolve().parents][:3]
        candidates = [folder / path for folder in folders] + [Path("features") / path, path]
        return next((c.resolve() for c in candidates if c.is_file()), None)

    def load(self, name: str, feature: Path) -> Contract | str:
        """The contract, or the problem that stops it from loading."""
        path = self.resolve(name, feature)
        if path is None:
            return f'AsyncAPI contract "{name}" not found (beside the features, or in the project)'
        if path not in self._loaded:
            try:
                contract = load_contract(path)
                ContractChecker(contract).check_schemas()
                self._loaded[path] = contract
            except WsbddError as error:
                self._loaded[path] = str(error)
        return self._loaded[path]

    @staticmethod
    def message_problem(contract: Contract, message: str) -> tuple[str, list[str]] | None:
        """Why ``message`` is no message clients receive in ``contract`` (None: it is)."""
        received = sorted(
            {
                n
                for m in contract.messages
                if m.direction == "received"
                for n in (m.name, *m.aliases)
            }
        )
        if message in received:
            return None
        close = difflib.get_close_matches(message, received, n=3)
        return (
            f'the AsyncAPI contract {contract.path.name} has no message "{message}" that clients '
            f"receive (they receive: {', '.join(received)})",
            [f'receives the message "{c}"' for c in close],
        )
