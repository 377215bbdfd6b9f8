"""Which contract message a frame is, and whether it conforms.

The rule (docs/asyncapi.md), for a frame travelling in one direction:

1. The candidates are the contract's messages in that direction. Those of
   the frame's channel come first: the channel is the frame's value at the
   profile's channel path (``$.channel`` by default), else the connection's
   path (``/ws``), matched against each channel's address with its
   ``{parameters}``.
2. The frame is *taken for* the first candidate whose fixed fields
   (``const`` or one-value ``enum`` at the top of its payload schema, such
   as ``type: order.created``) it carries; failing that, the first candidate
   whose schema it satisfies.
3. It conforms when it satisfies the schema of the message it was taken
   for. A frame taken for nothing is reported with the closest candidate
   (the fewest schema violations).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wsbdd.core.contracts.files import ContractFiles
from wsbdd.core.contracts.inline import inline_refs
from wsbdd.core.contracts.model import Contract, ContractMessage, Direction
from wsbdd.core.exceptions import ContractError
from wsbdd.core.matching._paths import format_path
from wsbdd.core.matching.schema import SchemaViolation, render_violations

__all__ = ["ContractChecker", "FrameVerdict"]

_ORDERS_KEPT = 4096
"""How many (direction, channel, path) orders a checker keeps before starting afresh."""


@dataclass(frozen=True, slots=True)
class FrameVerdict:
    """What the contract says of one frame."""

    direction: Direction
    message: ContractMessage | None
    violations: tuple[SchemaViolation, ...] = ()
    closest: ContractMessage | None = None
    reason: str = ""

    @property
    def conforms(self) -> bool:
        return self.message is not None and not self.violations and not self.reason

    def explain(self) -> str:
        """One or more lines: what the frame was taken for and what failed."""
        if self.message is not None and not self.violations and not self.reason:
            return f"conforms to {self.message.label}"
        if self.message is not None:
            where = f"taken for {self.message.label}"
            return f"{where}, breaks its payload schema:\n{_indent(self.violations)}"
        if self.reason:
            return self.reason
        text = f"fits no message {self.direction} in the contract"
        if self.closest is not None:
            text += f"; closest: {self.closest.label}:\n{_indent(self.violations)}"
        return text


def _indent(violations: tuple[SchemaViolation, ...]) -> str:
    return "\n".join(f"    {line}" for line in render_violations(list(violations)).splitlines())


class ContractChecker:
    """Checks frames against one contract; validators are built once per message.

    A message's payload schema is validated with its ``$ref`` replaced by their
    targets where that changes no verdict (:func:`~wsbdd.core.contracts.inline.inline_refs`).
    """

    def __init__(
        self, contract: Contract, channel_path: tuple[str | int, ...] = ("channel",)
    ) -> None:
        self.contract = contract
        self.channel_path = channel_path
        self._files = ContractFiles(contract.path)
        self._registry = self._files.registry()
        self._validators: dict[str, Any] = {}
        self._ordered: dict[
            tuple[Direction, str | None, str | None], tuple[ContractMessage, ...]
        ] = {}
        """The candidates of each (direction, channel, connection path): a frame's order."""

    def check(
        self, value: Any, direction: Direction, connection_path: str | None = None
    ) -> FrameVerdict:
        """The verdict on one decoded frame (``value`` is its JSON value)."""
        candidates = self._candidates(value, direction, connection_path)
        if not candidates:
            return FrameVerdict(
                direction, None, reason=f"the contract has no message {direction} by clients"
            )
        for message in candidates:
            if message.constants and all(
                isinstance(value, dict) and key in value and value[key] == fixed
                for key, fixed in message.constants
            ):
                return self.check_as(value, message)
        for message in candidates:
            if self.is_valid(value, message):
                return FrameVerdict(direction, message)
        scored: list[tuple[list[SchemaViolation], int, ContractMessage]] = []
        for order, message in enumerate(candidates):
            scored.append((self.violations(value, message), order, message))
        violations, _, closest = min(scored, key=lambda item: (len(item[0]), item[1]))
        return FrameVerdict(direction, None, tuple(violations), closest)

    def check_as(self, value: Any, message: ContractMessage) -> FrameVerdict:
        """The verdict on a frame that must be ``message``."""
        if self.is_valid(value, message):
            return FrameVerdict(message.direction, message)
        return FrameVerdict(message.direction, message, tuple(self.violations(value, message)))

    def is_valid(self, value: Any, message: ContractMessage) -> bool:
        """True when ``value`` satisfies ``message``'s payload schema (stops at the first error)."""
        import referencing.exceptions

        if message.schema_uri is None:
            return True
        try:
            return bool(self._validator(message.schema_uri).is_valid(value))
        except referencing.exceptions.Unresolvable as err:
            raise ContractError(
                f"{self.contract.path}: message {message.name!r}: cannot resolve $ref {err.ref!r}"
            ) from None

    def _candidates(
        self, value: Any, direction: Direction, connection_path: str | None
    ) -> tuple[ContractMessage, ...]:
        key = (direction, self.channel_of(value), connection_path)
        found = self._ordered.get(key)
        if found is None:
            found = self._order(*key)
            if len(self._ordered) >= _ORDERS_KEPT:  # channels may be many (order:123...)
                self._ordered.clear()
            self._ordered[key] = found
        return found

    def _order(
        self, direction: Direction, channel: str | None, connection_path: str | None
    ) -> tuple[ContractMessage, ...]:
        """The messages in ``direction``, those of the frame's channel (or path) first."""
        messages = [m for m in self.contract.messages if m.direction == direction]
        hints = [h for h in (channel, connection_path) if h]
        first = [m for m in messages if any(m.channel.matches(h) for h in hints)]
        return (*first, *(m for m in messages if m not in first))

    def channel_of(self, value: Any) -> str | None:
        """The frame's channel, at the channel path (``None`` when it names none)."""
        current = value
        for part in self.channel_path:
            in_dict = isinstance(current, dict) and isinstance(part, str) and part in current
            in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
            if not (in_dict or in_list):
                return None
            current = current[part]
        return current if isinstance(current, str) else None

    def violations(self, value: Any, message: ContractMessage) -> list[SchemaViolation]:
        """How ``value`` breaks ``message``'s payload schema (empty: it conforms)."""
        import referencing.exceptions

        if message.schema_uri is None:
            return []
        validator = self._validator(message.schema_uri)
        try:
            errors = sorted(
                validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path))
            )
        except referencing.exceptions.Unresolvable as err:
            raise ContractError(
                f"{self.contract.path}: message {message.name!r}: cannot resolve $ref {err.ref!r}"
            ) from None
        return [
            SchemaViolation(format_path(list(e.absolute_path)), e.message, str(e.validator))
            for e in errors
        ]

    def _validator(self, uri: str) -> Any:
        import jsonschema.validators  # type: ignore[import-untyped,unused-ignore]

        if uri not in self._validators:
            resolved = self._registry.resolver().lookup(uri)
            cls = jsonschema.validators.validator_for(
                resolved.contents, default=jsonschema.validators.Draft7Validator
            )
            inlined = inline_refs(resolved.contents, resolved.resolver)
            if inlined is None:
                self._validators[uri] = self.validator_following_refs(uri)
            else:
                # the class and format checker jsonschema would end up with
                # when it followed the references (core/contracts/inline.py)
                inlined_cls = jsonschema.validators.validator_for(inlined, default=cls)
                self._validators[uri] = inlined_cls(inlined, format_checker=cls.FORMAT_CHECKER)
        return self._validators[uri]

    def validator_following_refs(self, uri: str) -> Any:
        """The validator of the schema at ``uri`` that follows every ``$ref`` as it validates.

        Used where inlining would change a verdict; the tests and
        ``bench/contract_check.py`` compare the inlined validators against it.
        """
        import jsonschema.validators  # type: ignore[import-untyped,unused-ignore]

        resolved = self._registry.resolver().lookup(uri)
        cls = jsonschema.validators.validator_for(
            resolved.contents, default=jsonschema.validators.Draft7Validator
        )
        return cls(
            resolved.contents,
            registry=self._registry,
            format_checker=cls.FORMAT_CHECKER,
            _resolver=resolved.resolver,
        )

    def check_schemas(self) -> None:
        """Every payload schema is a valid schema and its ``$ref`` resolve (for lint)."""
        import jsonschema.exceptions  # type: ignore[import-untyped,unused-ignore]
        import jsonschema.validators  # type: ignore[import-untyped,unused-ignore]
        import referencing.exceptions

        for message in self.contract.messages:
            if message.schema_uri is None:
                continue
            try:
                resolved = self._registry.resolver().lookup(message.schema_uri)
                jsonschema.validators.Draft7Validator.check_schema(resolved.contents)
                self.violations(None, message)
            except jsonschema.exceptions.SchemaError as err:
                raise ContractError(
                    f"{self.contract.path}: message {message.name!r}: not a valid schema: "
                    f"{err.message} at {format_path(list(err.absolute_path))}"
                ) from None
            except referencing.exceptions.Unresolvable as err:
                raise ContractError(
                    f"{self.contract.path}: message {message.name!r}: cannot resolve {err.ref!r}"
                ) from None
