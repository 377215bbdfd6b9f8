"""A payload schema with its ``$ref`` replaced by what they point to, where no verdict changes.

jsonschema follows a ``$ref`` on every validation: it joins the URI, looks the
resource up in the registry and walks the JSON pointer (about 30 µs a
reference on the two-core machine). The contract checker validates every frame
of every scenario for the run's coverage, and the shipped chat message, whose
schema has five references, took 240 µs a frame; with the references replaced
once, up front, it takes about 70 µs.

Replacing is exact only for plain references, so :func:`inline_refs` gives up
(returns None: the checker then validates through the references, as before)
when a schema refers to itself (recursion), uses dynamic or recursive
references or ``unevaluatedProperties``/``unevaluatedItems`` (which look
through references), puts anything but annotations beside a ``$ref`` (draft
2019-09 and later apply both, draft 7 ignores the rest), names a dialect
jsonschema does not know, or a reference cannot be resolved (the checker
reports that when it validates). ``$schema`` keys are kept, so a referenced
file in another dialect is still validated by that dialect's rules, as
jsonschema does when it follows the reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = ["inline_refs"]

_DYNAMIC = frozenset(
    {
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
        "unevaluatedProperties",
        "unevaluatedItems",
    }
)
"""Keywords whose meaning depends on where a subschema was reached from."""

_BESIDE_A_REF = frozenset(
    {"$ref", "$comment", "description", "title", "examples", "default", "deprecated"}
    | {"readOnly", "writeOnly"}
)
"""Keys that may sit beside a ``$ref`` that is replaced: annotations, never validated."""

_NOT_APPLIED = frozenset({"$defs", "definitions"})
"""Keys holding schemas that apply only through a ``$ref`` (left as they are)."""

MAX_NODES = 10_000
"""Schema objects an inlined schema may have (references shared many times multiply)."""


class _CannotInline(Exception):
    """Replacing the references would change a verdict, or cost too much."""


def inline_refs(contents: Any, resolver: Resolver[Any]) -> Any | None:
    """``contents`` with every ``$ref`` replaced by its target, or None (see the module doc).

    ``resolver`` is the one ``contents`` was looked up with (its base URI
    resolves the references). ``contents`` itself is not changed.
    """
    import referencing.exceptions
    import referencing.jsonschema

    try:
        root = _specification(contents, referencing.jsonschema.DRAFT7)
        return _Inliner().expand(contents, resolver, root, frozenset())
    except (_CannotInline, referencing.exceptions.Unresolvable, RecursionError):
        return None


def _specification(node: Any, current: Any) -> Any:
    """The JSON Schema dialect of ``node``: its ``$schema``, else ``current``."""
    import referencing.jsonschema

    if not isinstance(node, dict) or "$schema" not in node:
        return current
    try:
        return referencing.jsonschema.specification_with(node["$schema"])
    except (referencing.jsonschema.UnknownDialect, TypeError):
        raise _CannotInline from None


class _Inliner:
    def __init__(self) -> None:
        self.nodes = 0

    def expand(
        self,
        node: Any,
        resolver: Resolver[Any],
        specification: Any,
        following: frozenset[int],
    ) -> Any:
        """``node`` (a subschema) with its references replaced; ``following``: targets entered."""
        if not isinstance(node, dict):
            return node  # a boolean schema
        if not _DYNAMIC.isdisjoint(node):
            raise _CannotInline
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _CannotInline
        specification = _specification(node, specification)
        if "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not _BESIDE_A_REF.issuperset(node):
                raise _CannotInline
            resolved = resolver.lookup(ref)
            target = resolved.contents
            if id(target) in following:
                raise _CannotInline  # recursion
            return self.expand(target, resolved.resolver, specification, following | {id(target)})
        resolver = resolver.in_subresource(specification.create_resource(node))
        subschemas = {id(s) for s in specification.subresources_of(node) if isinstance(s, dict)}
        return {
            key: value
            if key in _NOT_APPLIED
            else self._rebuild(value, subschemas, resolver, specification, following)
            for key, value in node.items()
        }

    def _rebuild(
        self,
        value: Any,
        subschemas: set[int],
        resolver: Resolver[Any],
        specification: Any,
        following: frozenset[int],
    ) -> Any:
        """``value`` (under a schema's keyword) with the subschemas in it expanded."""
        if isinstance(value, dict):
            if id(value) in subschemas:
                return self.expand(value, resolver, specification, following)
            return {
                k: self._rebuild(v, subschemas, resolver, specification, following)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self._rebuild(v, subschemas, resolver, specification, following) for v in value]
        return value
