"""Reading an AsyncAPI document and the files its ``$ref`` reach (YAML or JSON).

Every file is parsed once. A ``$ref`` is resolved against the file it is
written in, by file path and JSON pointer (``common.yaml#/components/schemas/Id``);
nothing is fetched from the network. :meth:`ContractFiles.registry` gives the
same files to jsonschema, so payload schemas ``$ref`` across files too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from wsbdd.core.exceptions import ContractError

if TYPE_CHECKING:
    import referencing

# PyYAML, referencing and urllib.request are imported where a contract is first
# read: most runs load none, and together they cost a tenth of a second at start-up.

__all__ = ["ContractFiles", "Located", "escape_pointer"]

_MAX_HOPS = 32


def escape_pointer(token: str) -> str:
    """One JSON-pointer token (``~`` and ``/`` escaped)."""
    return token.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return unquote(token).replace("~1", "/").replace("~0", "~")


class Located:
    """A node of a document and where it is: the file's URI and its JSON pointer."""

    __slots__ = ("node", "pointer", "uri")

    def __init__(self, node: Any, uri: str, pointer: str) -> None:
        self.node = node
        self.uri = uri
        self.pointer = pointer

    @property
    def location(self) -> str:
        """``file:///…/asyncapi.yaml#/components/messages/OrderCreated``."""
        return f"{self.uri}#{self.pointer}"

    def child(self, key: str | int) -> Located:
        """The node under ``key`` (a mapping key or a list index), still located."""
        node = self.node[key]
        return Located(node, self.uri, f"{self.pointer}/{escape_pointer(str(key))}")


class ContractFiles:
    """The document's files, parsed on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root_uri = self.root.as_uri()
        self._parsed: dict[str, Any] = {}

    def load(self, uri: str) -> Any:
        """The parsed contents of the file at ``uri`` (a ``file:`` URI)."""
        from urllib.request import url2pathname

        import yaml

        if uri not in self._parsed:
            path = Path(url2pathname(unquote(urlsplit(uri).path)))
            if urlsplit(uri).scheme != "file":
                raise ContractError(
                    f"$ref {uri!r}: only files are followed, nothing is fetched",
                    file=str(self.root),
                )
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as err:
                raise ContractError(
                    f"cannot read {path}: {err.strerror or err}", file=str(self.root)
                ) from None
            try:
                # libyaml's parser where PyYAML has it (its wheels do): the same
                # safe loading, about ten times faster on a large contract
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                self._parsed[uri] = yaml.load(text, Loader=loader)
            except yaml.YAMLError as err:
                mark = getattr(err, "problem_mark", None)
                line = f":{mark.line + 1}" if mark is not None else ""
                problem = getattr(err, "problem", None) or str(err).splitlines()[0]
                raise ContractError(f"{path}{line}: not valid YAML or JSON: {problem}") from None
        return self._parsed[uri]

    def document(self) -> Located:
        """The root document."""
        return Located(self.load(self.root_uri), self.root_uri, "")

    def resolve(self, located: Located) -> Located:
        """Follow ``$ref`` (across files) until a node that is not a reference."""
        current = located
        for _ in range(_MAX_HOPS):
            node = current.node
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return current
            target = urljoin(current.uri, node["$ref"])
            uri, fragment = urldefrag(target)
            current = self._pointer(Located(self.load(uri), uri, ""), fragment, node["$ref"])
        raise ContractError(f"$ref chain longer than {_MAX_HOPS} at {located.location}")

    def _pointer(self, start: Located, fragment: str, ref: str) -> Located:
        current = start
        for token in [t for t in fragment.split("/") if t] if fragment else []:
            key = _unescape(token)
            node = current.node
            try:
                if isinstance(node, list):
                    current = current.child(int(key))
                elif isinstance(node, dict):
                    current = Located(node[key], current.uri, f"{current.pointer}/{token}")
                else:
                    raise KeyError(key)
            except (KeyError, IndexError, ValueError):
                raise ContractError(
                    f"$ref {ref!r} leads nowhere: no {key!r} in {start.uri}",
                    file=str(self.root),
                ) from None
        return current

    def registry(self) -> referencing.Registry[Any]:
        """A jsonschema registry holding these files and every file their ``$ref`` reach.

        The files are added up front (a registry that had to *retrieve* a file
        would do so again on every validation); schemas are JSON Schema draft 7
        unless they say otherwise (``$schema``).
        """
        import referencing
        import referencing.exceptions

        self.load(self.root_uri)
        self._load_referenced()

        def retrieve(uri: str) -> referencing.Resource[Any]:
            try:
                contents = self.load(uri)
            except ContractError as err:
                raise referencing.exceptions.NoSuchResource(ref=uri) from err  # type: ignore[call-arg,unused-ignore]
            return _resource(contents)

        registry: referencing.Registry[Any] = referencing.Registry(retrieve=retrieve)  # type: ignore[call-arg,unused-ignore]
        resources = [(uri, _resource(contents)) for uri, contents in self._parsed.items()]
        return registry.with_resources(resources).crawl()

    def _load_referenced(self) -> None:
        """Parse every file a ``$ref`` of a parsed file names (until there is no new one)."""
        pending = list(self._parsed)
        while pending:
            uri = pending.pop()
            for ref in _refs(self._parsed[uri]):
                target = urldefrag(urljoin(uri, ref))[0]
                if target and target not in self._parsed and urlsplit(target).scheme == "file":
                    try:
                        self.load(target)
                    except ContractError:
                        continue  # reported when a schema needs it
                    pending.append(target)


def _resource(contents: Any) -> referencing.Resource[Any]:
    import referencing
    import referencing.jsonschema

    return referencing.Resource.from_contents(
        contents, default_specification=referencing.jsonschema.DRAFT7
    )


def _refs(node: Any) -> list[str]:
    """Every ``$ref`` string in a parsed document."""
    found: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                found.append(ref)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found
